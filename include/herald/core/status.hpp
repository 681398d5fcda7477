#pragma once
// The status code registry: every code of the IANA HTTP Status Code Registry, the unofficial
// codes real servers send, and IIS sub-status codes. It is the one place that knows reason
// phrases; every other part of herald names a status and asks the registry for the rest.
//
// Lookup is O(1) (an index over 100..599 built at compile time). All returned views and spans
// point into static storage and stay valid for the life of the program.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <herald/core/flag_set.hpp>

namespace herald::core {

// Named codes for call sites. Any integer 100-599 is still a valid status on the wire: code
// that receives statuses keeps the integer (see find_status, effective_code).
enum class status : std::uint16_t {
  continue_ = 100,
  switching_protocols = 101,
  processing = 102,
  early_hints = 103,
  ok = 200,
  created = 201,
  accepted = 202,
  non_authoritative_information = 203,
  no_content = 204,
  reset_content = 205,
  partial_content = 206,
  multi_status = 207,
  already_reported = 208,
  im_used = 226,
  multiple_choices = 300,
  moved_permanently = 301,
  found = 302,
  see_other = 303,
  not_modified = 304,
  use_proxy = 305,
  unused_306 = 306,
  temporary_redirect = 307,
  permanent_redirect = 308,
  bad_request = 400,
  unauthorized = 401,
  payment_required = 402,
  forbidden = 403,
  not_found = 404,
  method_not_allowed = 405,
  not_acceptable = 406,
  proxy_authentication_required = 407,
  request_timeout = 408,
  conflict = 409,
  gone = 410,
  length_required = 411,
  precondition_failed = 412,
  content_too_large = 413,
  uri_too_long = 414,
  unsupported_media_type = 415,
  range_not_satisfiable = 416,
  expectation_failed = 417,
  unused_418 = 418,
  misdirected_request = 421,
  unprocessable_content = 422,
  locked = 423,
  failed_dependency = 424,
  too_early = 425,
  upgrade_required = 426,
  precondition_required = 428,
  too_many_requests = 429,
  request_header_fields_too_large = 431,
  unavailable_for_legal_reasons = 451,
  internal_server_error = 500,
  not_implemented = 501,
  bad_gateway = 502,
  service_unavailable = 503,
  gateway_timeout = 504,
  http_version_not_supported = 505,
  variant_also_negotiates = 506,
  insufficient_storage = 507,
  loop_detected = 508,
  not_extended = 510,
  network_authentication_required = 511,
};

constexpr int to_int(status s) { return static_cast<int>(s); }

enum class status_class : std::uint8_t {
  informational = 1,
  successful = 2,
  redirection = 3,
  client_error = 4,
  server_error = 5,
};

// The class is the first digit (RFC 9110 §15); codes outside 100..599 have none.
constexpr std::optional<status_class> class_of(int code) {
  if (code < 100 || code > 599) return std::nullopt;
  return static_cast<status_class>(code / 100);
}

std::string_view to_string(status_class c);  // "Informational", "Successful", ...

struct status_class_info {
  status_class klass;
  std::string_view name;       // "Client Error"
  std::string_view reference;  // "RFC 9110 §15.5"
  std::string_view summary_en;
  std::string_view summary_zh;
};
const status_class_info& info(status_class c);

// RFC 9110 §15: a client that does not recognise a code treats it as the x00 code of its
// class (an unknown 471 is handled as 400). Returns nullopt outside 100..599.
constexpr std::optional<int> effective_code(int code) {
  if (code < 100 || code > 599) return std::nullopt;
  return code / 100 * 100;
}

// Responses whose framing has no content whatever their header fields say
// (RFC 9112 §6.3 rule 1, RFC 9110 §6.4.1): every 1xx, 204 and 304.
constexpr bool has_no_content_by_definition(int code) {
  return (code >= 100 && code < 200) || code == 204 || code == 304;
}
// Responses a server must not send content with: the above plus 205 (RFC 9110 §15.3.6).
constexpr bool content_forbidden(int code) {
  return has_no_content_by_definition(code) || code == 205;
}

// Where a code stands.
enum class status_standing : std::uint8_t {
  current,     // registered and in use
  deprecated,  // 305 Use Proxy (RFC 9110 §15.4.6)
  unused,      // registered as "(Unused)": 306, 418
  obsoleted,   // 510 Not Extended: RFC 2774 is Historic
  unofficial,  // not in the IANA registry, but sent by real servers (origin says which)
};
std::string_view to_string(status_standing s);

// Response header fields a specification ties to a status, as a bit set.
enum class response_field : std::uint16_t {
  location = 1u << 0,
  allow = 1u << 1,
  www_authenticate = 1u << 2,
  proxy_authenticate = 1u << 3,
  content_range = 1u << 4,
  retry_after = 1u << 5,
  upgrade = 1u << 6,
  link_blocked_by = 1u << 7,  // Link: <...>; rel="blocked-by" (RFC 7725 §4)
  accept = 1u << 8,           // 415 (RFC 9110 §15.5.16)
  accept_encoding = 1u << 9,  // 415 for an unsupported content coding
  content_location = 1u << 10,
  etag = 1u << 11,
  date = 1u << 12,
  vary = 1u << 13,
  cache_control = 1u << 14,
  expires = 1u << 15,
};
inline constexpr int response_field_count = 16;
std::string_view to_string(response_field f);  // the field's name, e.g. "WWW-Authenticate"

using response_fields = flag_set<response_field>;
constexpr response_fields operator|(response_field a, response_field b) {
  return response_fields{a} | response_fields{b};
}

// How a user agent reacts when this code arrives (RFC 9110 §15 and the Fetch standard).
enum class client_reaction : std::uint8_t {
  await_final,          // 1xx: interim; keep reading for the final response
  switch_protocol,      // 101: the connection now speaks the protocol named in Upgrade
  succeed,              // 2xx: the request succeeded
  choose_variant,       // 300: follow only if Location names a preferred choice
  follow_post_to_get,   // 301, 302: follow; POST becomes GET, other methods are kept
  follow_as_get,        // 303: follow with GET (HEAD stays HEAD), dropping the content
  follow_same_method,   // 307, 308: follow with the same method and content
  never_follow,         // 305, 306: never followed automatically (security)
  use_cached,           // 304: the cached representation is still valid
  answer_challenge,     // 401: answer the WWW-Authenticate challenge once
  answer_proxy_challenge, // 407: answer the Proxy-Authenticate challenge once
  retry_idempotent,     // 408: a new connection may retry an idempotent request
  retry_without_expect, // 417: retry once without the Expect field
  retry_after_handshake,// 425: retry once the TLS handshake has completed
  retry_later,          // 429, 503: wait for Retry-After (or back off), then retry
  retry_new_connection, // 421: retry on a connection for the right origin
  fail,                 // a final error: show the content to the user
};
std::string_view to_string(client_reaction r);   // a sentence for `herald status`
std::string_view identifier(client_reaction r);  // the enumerator's name, for JSON output

struct status_info {
  std::uint16_t code;
  std::string_view reason;                       // current reason phrase
  std::array<std::string_view, 3> former_reasons;  // earlier phrases, newest first; empty = none
  std::string_view reference;  // defining document and section: "RFC 9110 §15.5.5"
  status_standing standing;
  std::string_view origin;  // for unofficial codes: who sends it ("nginx", "Cloudflare")
  bool heuristically_cacheable;  // RFC 9110 §15.1 / RFC 9111 §4.2.2
  response_fields required_fields;     // MUST accompany the status
  response_fields recommended_fields;  // SHOULD (or "ought to") accompany it
  client_reaction reaction;
  std::string_view summary_en;
  std::string_view summary_zh;

  constexpr status_class klass() const { return static_cast<status_class>(code / 100); }
  constexpr bool official() const { return standing != status_standing::unofficial; }
};

// Every entry, sorted by code; where a code has several meanings the IANA one comes first.
std::span<const status_info> all_statuses();

// The primary meaning of a code (the IANA one where registered), or nullptr if herald knows
// no meaning for it.
const status_info* find_status(int code);
inline const status_info* find_status(status s) { return find_status(to_int(s)); }

// Every meaning of a code: 420 is both "Method Failure" (Spring) and "Enhance Your Calm"
// (Twitter). Empty if unknown.
std::span<const status_info> meanings(int code);

// The reason phrase to put on the wire: the IANA phrase, else the primary unofficial phrase,
// else the phrase of the class's x00 code (RFC 9110 §15), else "".
std::string_view reason_phrase(int code);
inline std::string_view reason_phrase(status s) { return reason_phrase(to_int(s)); }

// The reaction a client owes a code, the x00 code's reaction for a code it does not know.
client_reaction reaction_to(int code);

// A sub-status code of Microsoft IIS, as in "404.3" (logged in sc-substatus, shown on IIS's
// detailed error pages, never sent on the wire).
struct iis_substatus {
  std::uint16_t code;
  std::uint16_t sub;
  std::string_view meaning_en;
  std::string_view meaning_zh;
};
std::span<const iis_substatus> all_iis_substatuses();  // sorted by (code, sub)
const iis_substatus* find_iis_substatus(int code, int sub);
std::span<const iis_substatus> iis_substatuses_of(int code);

}  // namespace herald::core
