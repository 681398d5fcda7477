#pragma once
// The request-target of an HTTP/1.1 request line (RFC 9112 §3.2) and the Host field
// (RFC 9110 §7.2).
//
// parse_request_target classifies the target into one of the four forms, checks every
// character, and applies the rules that depend on the method: asterisk-form only for OPTIONS,
// authority-form for CONNECT and only for it. The method is compared exactly (methods are
// case-sensitive, RFC 9110 §9.1). Results hold views into the caller's target text (and, for
// the path of an absolute-form target with an empty path, into static storage); they are valid
// while that text is alive and unchanged. Nothing is decoded: safe_path.hpp maps a path to a
// file.

#include <cstdint>
#include <optional>
#include <string_view>

#include "herald/core/uri.hpp"

namespace herald::core {

// RFC 9112 §3.2
enum class target_form : std::uint8_t {
  origin,     // absolute-path [ "?" query ]: "/where?q=now"
  absolute,   // absolute-URI: "http://www.example.org/pub/WWW/TheProject.html"
  authority,  // uri-host ":" port, CONNECT only: "www.example.com:80"
  asterisk,   // "*", OPTIONS only
};

// Why a request-target is rejected. Each one is a 400 (Bad Request) for a server, RFC 9112 §3.2.
enum class target_error : std::uint8_t {
  none,
  empty,
  not_a_target_form,                // none of the four forms ("example.com/x", "1http://x")
  fragment_not_allowed,             // '#': no form has a fragment (RFC 9112 §3.2)
  invalid_path,                     // a character outside pchar / "/"
  invalid_query,                    // a character outside pchar / "/" / "?"
  invalid_percent_encoding,         // '%' not followed by two hex digits
  invalid_userinfo,                 // userinfo characters, for schemes that allow userinfo
  invalid_host,                     // a character outside reg-name, or a malformed IP literal
  invalid_port,                     // a port that is not a number
  port_out_of_range,                // above 65535
  missing_port,                     // authority-form without a port (RFC 9110 §9.3.6)
  missing_host,                     // http(s) URI without an authority or with an empty host
  userinfo_not_allowed,             // http(s) URI with userinfo, or userinfo in authority-form
  asterisk_requires_options,        // "*" with a method other than OPTIONS (RFC 9112 §3.2.4)
  connect_requires_authority_form,  // CONNECT with another form (RFC 9112 §3.2.3)
};

// One English sentence, e.g. "request target port is not a number".
std::string_view describe(target_error e);

struct request_target {
  target_form form = target_form::origin;
  // The components, as views into the target:
  // - origin: path and query;
  // - absolute: scheme, authority (if any), path, query;
  // - authority: authority (host, kind, port; never userinfo);
  // - asterisk: nothing.
  uri_reference components{};
  // The path to route on: origin-form's path, or absolute-form's path, which is "/" when it is
  // empty and the URI has an authority (RFC 9110 §4.2.3); empty for authority- and
  // asterisk-form.
  std::string_view path{};
  std::optional<std::string_view> query{};  // without the '?'
};

// `target` is meaningful only when `error` is target_error::none.
struct target_parse_result {
  request_target target{};
  target_error error = target_error::none;
  explicit operator bool() const { return error == target_error::none; }
};

// Parses the request-target of a request line whose method is `method`.
//
// Policies:
// - absolute-form accepts any scheme (a proxy may be asked for any); for "http" and "https",
//   compared case-insensitively, the host must be present and non-empty (RFC 9110 §4.2.1–4.2.2)
//   and userinfo is an error (RFC 9110 §4.2.4). Whether the scheme is one this server serves is
//   the caller's decision.
// - a method other than CONNECT never gets authority-form: "localhost:80" is then an
//   absolute-URI with scheme "localhost", as the grammar reads it.
// - CONNECT needs a non-empty host and a port: there is no default port (RFC 9110 §9.3.6).
// - OPTIONS may use any form; "*" is only for OPTIONS.
target_parse_result parse_request_target(std::string_view method, std::string_view target);

// Why a Host field value is rejected. Each one is a 400 for a server (RFC 9112 §3.2).
enum class host_error : std::uint8_t {
  none,
  invalid_character,         // outside reg-name, e.g. a space or '/'
  userinfo_not_allowed,      // "user@host": Host = uri-host [ ":" port ]
  invalid_ip_literal,        // "[::1", "[::1]x", "[not-an-address]"
  invalid_port,              // not a number: "host:-1", "a:b:c"
  port_out_of_range,         // above 65535
  invalid_percent_encoding,  // '%' not followed by two hex digits
};

// One English sentence, e.g. "Host port is not a number".
std::string_view describe(host_error e);

// `host` is meaningful only when `error` is host_error::none; its userinfo is always empty.
struct host_parse_result {
  uri_authority host{};
  host_error error = host_error::none;
  explicit operator bool() const { return error == host_error::none; }
};

// Host = uri-host [ ":" port ] (RFC 9110 §7.2), after OWS around the value is removed.
//
// An empty value is valid and yields an empty reg-name host: a client sends an empty Host when
// the target URI has no authority (RFC 9110 §7.2). Whether an empty Host is acceptable for the
// request at hand (it is not for an "http" target, RFC 9110 §4.2.1) is the caller's decision,
// as are the checks that need more than one field line (a second Host is a 400, RFC 9112 §3.2).
// "host:" (empty port) is accepted as the grammar allows (port = *DIGIT), with no port value.
host_parse_result parse_host(std::string_view field_value);

}  // namespace herald::core
