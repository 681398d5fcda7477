#include <herald/http1/error.hpp>

#include <array>
#include <cstddef>

namespace herald::http1 {

namespace {

using enum error;
using core::status;

// Every rejection closes the connection: after a malformed head the receiver cannot be sure
// where the next message starts (RFC 9112 §9.6 "framing error"), and a server that refused
// to read a body cannot tell it apart from the next request. nginx closes on the same set.
constexpr auto error_table = std::to_array<error_info>({
    {bare_lf, "bare-lf",
     "a line ends in LF without CR; HTTP/1.1 requires CRLF (RFC 9112 §2.2)",
     status::bad_request, true},
    {bare_cr, "bare-cr", "a CR is not followed by LF (RFC 9112 §2.2)", status::bad_request, true},
    {invalid_method, "invalid-method", "the method is not a token (RFC 9110 §9.1)",
     status::bad_request, true},
    {method_too_long, "method-too-long",
     "the method is longer than any method this server implements (RFC 9112 §3)",
     status::not_implemented, true},
    {invalid_request_line, "invalid-request-line",
     "the request line is not method SP request-target SP HTTP-version (RFC 9112 §3)",
     status::bad_request, true},
    {invalid_target, "invalid-target",
     "the request target is not a valid origin, absolute, authority or asterisk form "
     "(RFC 9112 §3.2)",
     status::bad_request, true},
    {target_form_mismatch, "target-form-mismatch",
     "the request target's form does not fit the method: authority-form is only for CONNECT, "
     "asterisk-form only for OPTIONS (RFC 9112 §3.2.3, §3.2.4)",
     status::bad_request, true},
    {request_line_too_long, "request-line-too-long",
     "the request line, and so the request target, is longer than this server accepts "
     "(RFC 9112 §3)",
     status::uri_too_long, true},
    {invalid_version, "invalid-version",
     "the protocol version is not HTTP/DIGIT.DIGIT (RFC 9112 §2.3)", status::bad_request, true},
    {unsupported_version, "unsupported-version",
     "this server speaks HTTP/1.0 and HTTP/1.1 on this connection (RFC 9110 §15.6.6)",
     status::http_version_not_supported, true},
    {invalid_field_name, "invalid-field-name",
     "a field name contains a character that is not allowed in a token (RFC 9110 §5.1)",
     status::bad_request, true},
    {whitespace_before_colon, "whitespace-before-colon",
     "whitespace between a field name and the colon (RFC 9112 §5.1)", status::bad_request, true},
    {missing_colon, "missing-colon", "a field line has no colon (RFC 9112 §5)",
     status::bad_request, true},
    {obs_fold, "obs-fold",
     "a field value is folded onto a line that starts with whitespace; obsolete line folding "
     "is rejected (RFC 9112 §5.2)",
     status::bad_request, true},
    {invalid_field_value, "invalid-field-value",
     "a field value contains a control character such as NUL or a bare CR (RFC 9110 §5.5)",
     status::bad_request, true},
    {header_section_too_large, "header-section-too-large",
     "the header section is larger than this server accepts (RFC 6585 §5)",
     status::request_header_fields_too_large, true},
    {too_many_fields, "too-many-fields",
     "the request has more header fields than this server accepts (RFC 6585 §5)",
     status::request_header_fields_too_large, true},
    {missing_host, "missing-host", "an HTTP/1.1 request must have a Host field (RFC 9112 §3.2)",
     status::bad_request, true},
    {duplicate_host, "duplicate-host", "the request has more than one Host field (RFC 9112 §3.2)",
     status::bad_request, true},
    {invalid_host, "invalid-host",
     "the Host field is not uri-host [ \":\" port ] (RFC 9110 §7.2)", status::bad_request, true},
    {transfer_encoding_and_content_length, "te-and-cl",
     "the request has both Transfer-Encoding and Content-Length, a sign of request smuggling "
     "(RFC 9112 §6.3)",
     status::bad_request, true},
    {transfer_encoding_in_http10, "te-in-http10",
     "an HTTP/1.0 request has Transfer-Encoding, so its framing is faulty (RFC 9112 §6.1)",
     status::bad_request, true},
    {chunked_not_final, "chunked-not-final",
     "the final transfer coding of a request must be chunked (RFC 9112 §6.3)",
     status::bad_request, true},
    {chunked_applied_twice, "chunked-twice",
     "chunked is applied more than once (RFC 9112 §6.1)", status::bad_request, true},
    {unknown_transfer_coding, "unknown-transfer-coding",
     "the request uses a transfer coding this server does not implement (RFC 9112 §6.1)",
     status::not_implemented, true},
    {invalid_transfer_encoding, "invalid-transfer-encoding",
     "Transfer-Encoding is not a list of transfer codings (RFC 9112 §6.1)", status::bad_request,
     true},
    {invalid_content_length, "invalid-content-length",
     "Content-Length is not a decimal number of octets (RFC 9110 §8.6)", status::bad_request,
     true},
    {conflicting_content_length, "conflicting-content-length",
     "Content-Length is given more than once with different values (RFC 9110 §8.6)",
     status::bad_request, true},
    {content_too_large, "content-too-large",
     "the content is larger than this server accepts (RFC 9110 §15.5.14)",
     status::content_too_large, true},
    {invalid_chunk_size, "invalid-chunk-size",
     "a chunk size is not a hexadecimal number (RFC 9112 §7.1)", status::bad_request, true},
    {chunk_size_overflow, "chunk-size-overflow",
     "a chunk size is larger than this server can represent (RFC 9112 §7.1)",
     status::bad_request, true},
    {invalid_chunk_extension, "invalid-chunk-extension",
     "a chunk extension is not ;name[=value] (RFC 9112 §7.1.1)", status::bad_request, true},
    {chunk_extension_too_long, "chunk-extension-too-long",
     "chunk extensions are longer than this server accepts (RFC 9112 §7.1.1)",
     status::bad_request, true},
    {missing_chunk_terminator, "missing-chunk-crlf",
     "chunk data is not followed by CRLF (RFC 9112 §7.1)", status::bad_request, true},
    {trailer_section_too_large, "trailer-section-too-large",
     "the trailer section is larger than this server accepts (RFC 9112 §7.1.2)",
     status::request_header_fields_too_large, true},
    {invalid_status_line, "invalid-status-line",
     "the status line is not HTTP-version SP 3DIGIT SP [reason-phrase] (RFC 9112 §4)",
     status::bad_gateway, true},
    {incomplete_body, "incomplete-body",
     "the connection closed before the whole message body arrived (RFC 9112 §8)",
     status::bad_request, true},
});

constexpr bool table_follows_enum() {
  for (std::size_t i = 0; i < error_table.size(); ++i)
    if (static_cast<std::size_t>(error_table[i].code) != i) return false;
  return true;
}
static_assert(table_follows_enum(), "error_table must list the errors in enum order");
static_assert(error_table.size() == static_cast<std::size_t>(incomplete_body) + 1);

}  // namespace

const error_info& info(error e) { return error_table[static_cast<std::size_t>(e)]; }

}  // namespace herald::http1
