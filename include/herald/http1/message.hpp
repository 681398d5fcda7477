#pragma once
// The heads of HTTP/1.1 messages as the parser produces them: plain values whose string views
// point into the caller's receive buffer. A head is valid only while that buffer holds the
// bytes it was parsed from, unchanged and unmoved.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <herald/core/method.hpp>
#include <herald/core/request_target.hpp>

namespace herald::http1 {

struct field_line {
  std::string_view name;   // as received; compare case-insensitively
  std::string_view value;  // without surrounding whitespace
};

// How the content of a message is delimited (RFC 9112 §6.3).
enum class body_framing : std::uint8_t {
  none,            // no content
  content_length,  // exactly content_length octets
  chunked,         // the chunked transfer coding (RFC 9112 §7.1)
  until_close,     // responses only: everything until the connection closes
  tunnel,          // responses only: 2xx to CONNECT, 101: the connection is no longer HTTP
};

struct request_head {
  std::string_view method;                 // the token as received
  std::optional<core::method> known_method;  // nullopt: not registered (a server answers 501)
  std::string_view target;                 // the request-target as received
  core::target_form form = core::target_form::origin;
  std::string_view scheme;     // absolute-form only: "http", "https", ...
  std::string_view path;       // origin and absolute forms; "" for authority and asterisk
  std::string_view query;      // without '?'; empty when absent
  bool has_query = false;
  std::string_view authority;  // the target's authority in absolute and authority form, else Host
  int version_minor = 1;       // HTTP/1.x; a higher minor is handled as 1 (RFC 9110 §6.2)
  std::vector<field_line> fields;  // in received order, repeated fields included

  body_framing framing = body_framing::none;  // none, content_length or chunked for requests
  std::uint64_t content_length = 0;           // when framing is content_length

  // Connection persistence (RFC 9112 §9.3): HTTP/1.1 unless "Connection: close"; HTTP/1.0
  // only with "Connection: keep-alive".
  bool keep_alive = true;
  bool connection_upgrade = false;  // Connection lists "upgrade" (RFC 9110 §7.8)
  std::string_view expect;          // the Expect field's value, empty when absent

  // The first value of a field, or nullopt.
  std::optional<std::string_view> find(std::string_view name) const;
  std::size_t count(std::string_view name) const;
  void clear();
};

struct response_head {
  int status = 0;  // any three digits
  std::string_view reason;
  int version_minor = 1;
  std::vector<field_line> fields;

  body_framing framing = body_framing::none;
  std::uint64_t content_length = 0;
  bool keep_alive = true;  // the server intends to keep the connection open

  std::optional<std::string_view> find(std::string_view name) const;
  std::size_t count(std::string_view name) const;
  bool interim() const { return status >= 100 && status < 200 && status != 101; }
  void clear();
};

}  // namespace herald::http1
