#pragma once
// Why the wire layer rejected a message: a machine-readable token (for logs and metrics), a
// sentence that names the rule broken (for the error body), the status a server answers with,
// and whether the connection must close afterwards. One table holds them all (error.cpp).

#include <cstdint>
#include <string_view>

#include <herald/core/status.hpp>

namespace herald::http1 {

enum class error : std::uint8_t {
  // Lines (RFC 9112 §2.2)
  bare_lf,
  bare_cr,
  // Request line (RFC 9112 §3)
  invalid_method,
  method_too_long,
  invalid_request_line,
  invalid_target,
  target_form_mismatch,
  request_line_too_long,
  invalid_version,
  unsupported_version,
  // Field lines (RFC 9112 §5, RFC 9110 §5)
  invalid_field_name,
  whitespace_before_colon,
  missing_colon,
  obs_fold,
  invalid_field_value,
  header_section_too_large,
  too_many_fields,
  // Host (RFC 9112 §3.2, RFC 9110 §7.2)
  missing_host,
  duplicate_host,
  invalid_host,
  // Message body length (RFC 9112 §6)
  transfer_encoding_and_content_length,
  transfer_encoding_in_http10,
  chunked_not_final,
  chunked_applied_twice,
  unknown_transfer_coding,
  invalid_transfer_encoding,
  invalid_content_length,
  conflicting_content_length,
  content_too_large,
  // Chunked transfer coding (RFC 9112 §7.1)
  invalid_chunk_size,
  chunk_size_overflow,
  invalid_chunk_extension,
  chunk_extension_too_long,
  missing_chunk_terminator,
  trailer_section_too_large,
  // Responses (client side, RFC 9112 §4)
  invalid_status_line,
  incomplete_body,
};

struct error_info {
  error code;
  std::string_view token;     // stable, kebab-case: "te-and-cl"
  std::string_view sentence;  // what was wrong, for people
  core::status status;        // what a server answers
  bool close;                 // the connection cannot be reused after the response
};

const error_info& info(error e);
inline std::string_view token(error e) { return info(e).token; }
inline std::string_view sentence(error e) { return info(e).sentence; }
inline core::status status_of(error e) { return info(e).status; }

}  // namespace herald::http1
