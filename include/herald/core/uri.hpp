#pragma once
// URIs and URI references (RFC 3986): parsing into components, percent-decoding, dot-segment
// removal, reference resolution, recomposition, and the normalisation HTTP uses to compare URIs
// (RFC 9110 §4.2.3).
//
// Parsing is exact: every character is checked against the RFC 3986 grammar, a '%' must be
// followed by two hex digits, and nothing is decoded. A parsed uri_reference holds views into
// the caller's buffer: it is valid only while that buffer is alive and unchanged. The functions
// that build new text (resolve, recompose, normalize, ...) return an owning std::string.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <herald/core/syntax.hpp>

namespace herald::core {

// RFC 3986 §2 character classes, shared by the request-target and safe-path parsers.
namespace uri_chars {
// unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
constexpr bool is_unreserved(char c) {
  return syntax::is_alpha(c) || syntax::is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
// sub-delims = "!" / "$" / "&" / "'" / "(" / ")" / "*" / "+" / "," / ";" / "="
constexpr bool is_sub_delim(char c) {
  switch (c) {
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case ';':
    case '=':
      return true;
    default:
      return false;
  }
}
// pchar = unreserved / pct-encoded / sub-delims / ":" / "@", without the '%' of pct-encoded:
// a caller that sees '%' checks the two hex digits itself.
constexpr bool is_pchar(char c) {
  return is_unreserved(c) || is_sub_delim(c) || c == ':' || c == '@';
}
// Whether the '%' at s[i] starts a pct-encoded triplet, pct-encoded = "%" HEXDIG HEXDIG
// (RFC 3986 §2.1).
constexpr bool is_pct_encoded(std::string_view s, std::size_t i) {
  return i + 2 < s.size() && syntax::is_hexdig(s[i + 1]) && syntax::is_hexdig(s[i + 2]);
}
// The octet that the pct-encoded triplet at s[i] stands for; is_pct_encoded(s, i) must hold.
constexpr char pct_decoded(std::string_view s, std::size_t i) {
  return static_cast<char>(syntax::hex_value(s[i + 1]) * 16 + syntax::hex_value(s[i + 2]));
}
}  // namespace uri_chars

// Which alternative of RFC 3986 §3.2.2 `host` matched. The first rule that matches wins, so
// "256.1.1.1" (not a dec-octet) is a reg_name, as the grammar says.
enum class host_kind : std::uint8_t {
  reg_name,    // *( unreserved / pct-encoded / sub-delims ), possibly empty
  ipv4,        // IPv4address: four dec-octets, no leading zeros
  ipv6,        // "[" IPv6address "]"
  ipv_future,  // "[" "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" ) "]"
};

// authority = [ userinfo "@" ] host [ ":" port ] (RFC 3986 §3.2). Views into the parsed text.
struct uri_authority {
  std::optional<std::string_view> userinfo{};  // without the '@'
  // As written, brackets included for IP literals; compare case-insensitively (§6.2.2.1).
  std::string_view host{};
  host_kind kind = host_kind::reg_name;
  // The port digits without the ':'. Present but empty for "host:": RFC 3986 §3.2.3 allows an
  // empty port and says it means the scheme's default, so it parses, `port` stays empty, and
  // recompose keeps the ':' (normalize drops it).
  std::optional<std::string_view> port_text{};
  std::optional<std::uint16_t> port{};  // the value of port_text, when it is not empty

  bool operator==(const uri_authority&) const = default;
};

// The host without the brackets of an IP literal: what a resolver or socket API expects.
constexpr std::string_view host_address(const uri_authority& a) {
  if (a.kind == host_kind::ipv6 || a.kind == host_kind::ipv_future)
    return a.host.substr(1, a.host.size() - 2);
  return a.host;
}

// The five components of RFC 3986 §3. An optional that is empty means "undefined", which is
// not the same as defined and empty ("http://h/p?" has an empty query, "http://h/p" none):
// §5.3 recomposition and §5.2 resolution depend on the difference.
struct uri_reference {
  std::optional<std::string_view> scheme{};    // without the ':'; compare case-insensitively
  std::optional<uri_authority> authority{};    // present iff the reference has "//"
  std::string_view path{};                     // always defined, possibly empty
  std::optional<std::string_view> query{};     // without the '?'
  std::optional<std::string_view> fragment{};  // without the '#'

  bool operator==(const uri_reference&) const = default;  // exact, component by component
};

// Why a parse failed: the first violation found, reading left to right.
enum class uri_error : std::uint8_t {
  none,
  missing_scheme,          // parse_uri / parse_absolute_uri on a relative reference
  invalid_scheme,          // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
  colon_in_first_segment,  // a relative path whose first segment has ':' (path-noscheme)
  invalid_userinfo,
  invalid_host,        // a character outside reg-name
  invalid_ip_literal,  // "[...]" that is neither IPv6address nor IPvFuture
  invalid_port,        // a non-digit in the port
  port_out_of_range,   // above 65535
  invalid_path,
  invalid_query,
  invalid_fragment,
  fragment_not_allowed,      // absolute-URI has no fragment (RFC 3986 §4.3)
  invalid_percent_encoding,  // '%' not followed by two hex digits
};

// One English sentence for logs and problem details, e.g. "URI port is not a number".
std::string_view describe(uri_error e);

// `uri` is meaningful only when `error` is uri_error::none.
struct uri_parse_result {
  uri_reference uri;
  uri_error error = uri_error::none;
  explicit operator bool() const { return error == uri_error::none; }
};

// URI-reference = URI / relative-ref (RFC 3986 §4.1).
uri_parse_result parse_uri_reference(std::string_view text);
// URI = scheme ":" hier-part [ "?" query ] [ "#" fragment ] (RFC 3986 §3).
uri_parse_result parse_uri(std::string_view text);
// absolute-URI = scheme ":" hier-part [ "?" query ] (RFC 3986 §4.3): no fragment.
uri_parse_result parse_absolute_uri(std::string_view text);

// authority (RFC 3986 §3.2) alone, e.g. the text between "//" and the path. Also the basis of
// the Host field and CONNECT target parsers.
struct uri_authority_result {
  uri_authority authority;
  uri_error error = uri_error::none;
  explicit operator bool() const { return error == uri_error::none; }
};
uri_authority_result parse_authority(std::string_view text);

// Decodes every pct-encoded octet (RFC 3986 §2.1). nullopt when a '%' is not followed by two
// hex digits. Decodes %00 and %2F like any octet and leaves '+' alone: rejecting those is the
// caller's policy (see safe_path.hpp).
std::optional<std::string> percent_decode(std::string_view text);

// remove_dot_segments (RFC 3986 §5.2.4) over a path that is not percent-decoded.
std::string remove_dot_segments(std::string_view path);

// Text of a reference from its components (RFC 3986 §5.3). recompose(parse(s).uri) == s.
std::string recompose(const uri_reference& ref);

// The target URI of `reference` against `base` (RFC 3986 §5.2.2, strict: a reference with a
// scheme is taken as it is, so "http:g" stays "http:g"). nullopt when `base` has no scheme
// (§5.1: a base URI is absolute) or, for the text overload, when either does not parse.
//
// The base's fragment is ignored and the result carries the reference's fragment, if any, as
// §5.2.2 says. An HTTP client following a redirect must then apply RFC 9110 §10.2.2 itself: if
// the result has no fragment and the URI it requested had one, append "#" + that fragment.
//
// One deviation from the letter of §5.2.4, needed to keep the result parseable as the same
// URI: when the result has no authority and its path would start with "//" (base "a:/b",
// reference "/.//g"), the path is written "/.//g" so that "//g" is not read back as an
// authority. The WHATWG URL standard does the same.
std::optional<std::string> resolve(const uri_reference& base, const uri_reference& reference);
std::optional<std::string> resolve(std::string_view base, std::string_view reference);

// 80 for "http", 443 for "https" (RFC 9110 §4.2.1, §4.2.2), case-insensitively; else nullopt.
std::optional<std::uint16_t> default_port(std::string_view scheme);

// Syntax- and scheme-based normalisation (RFC 3986 §6.2.2–6.2.3, RFC 9110 §4.2.3):
// - scheme and host lowercased;
// - percent-encoding hex digits uppercased, pct-encoded unreserved characters decoded;
// - an empty port, or the scheme's default port (http 80, https 443), removed; a port with
//   leading zeros written as its value;
// - dot segments removed from a path that starts with '/' in a reference with a scheme (never
//   in a relative reference, whose meaning depends on its base, nor in a rootless path);
// - an empty path written "/" for http and https with an authority.
std::string normalize(const uri_reference& ref);
std::optional<std::string> normalize(std::string_view text);  // nullopt if it does not parse

// Both parse and normalise to the same text (fragments included). RFC 9110 §4.2.3.
bool uri_equivalent(std::string_view a, std::string_view b);

// Same scheme, host and port (RFC 6454 §5), with the scheme's default port filled in and scheme
// and host compared case-insensitively. Both must have a scheme and an authority; the
// redirect policy uses this to decide whether credentials may follow a redirect.
bool same_origin(const uri_reference& a, const uri_reference& b);

}  // namespace herald::core
