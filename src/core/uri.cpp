#include "herald/core/uri.hpp"

#include <array>
#include <cstddef>

#include "herald/core/syntax.hpp"

namespace herald::core {

namespace {

using syntax::is_alpha;
using syntax::is_digit;
using syntax::is_hexdig;

// One bit per RFC 3986 character set, so that checking a component is one table lookup per
// character. The '%' of pct-encoded is in none of them: check_component handles it.
enum char_set : std::uint8_t {
  reg_name_chars = 1 << 0,  // unreserved / sub-delims
  userinfo_chars = 1 << 1,  // unreserved / sub-delims / ":"
  path_chars = 1 << 2,      // pchar / "/"
  query_chars = 1 << 3,     // pchar / "/" / "?", also the fragment's set
};

constexpr std::array<std::uint8_t, 256> make_char_sets() {
  std::array<std::uint8_t, 256> table{};
  for (int i = 0; i < 256; ++i) {
    const char c = static_cast<char>(i);
    std::uint8_t bits = 0;
    if (uri_chars::is_unreserved(c) || uri_chars::is_sub_delim(c))
      bits |= reg_name_chars | userinfo_chars | path_chars | query_chars;
    if (c == ':') bits |= userinfo_chars | path_chars | query_chars;
    if (c == '@' || c == '/') bits |= path_chars | query_chars;
    if (c == '?') bits |= query_chars;
    table[static_cast<std::size_t>(i)] = bits;
  }
  return table;
}
constexpr std::array<std::uint8_t, 256> char_sets = make_char_sets();

constexpr bool in_set(char c, std::uint8_t set) {
  return (char_sets[static_cast<unsigned char>(c)] & set) != 0;
}

// Every character is in `set` or starts a well-formed pct-encoded triplet (RFC 3986 §2.1).
uri_error check_component(std::string_view s, std::uint8_t set, uri_error bad_char) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (!uri_chars::is_pct_encoded(s, i)) return uri_error::invalid_percent_encoding;
      i += 2;
    } else if (!in_set(s[i], set)) {
      return bad_char;
    }
  }
  return uri_error::none;
}

// scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986 §3.1)
bool is_scheme(std::string_view s) {
  if (s.empty() || !is_alpha(s.front())) return false;
  for (char c : s)
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return false;
  return true;
}

// IPv4address = dec-octet "." dec-octet "." dec-octet "." dec-octet, where a dec-octet is 0-255
// without leading zeros (RFC 3986 §3.2.2); in one pass, as every request's Host goes through it.
bool is_ipv4(std::string_view s) {
  std::size_t i = 0;
  for (int octet = 0;; ++octet) {
    const std::size_t start = i;
    int value = 0;
    while (i < s.size() && i - start < 3 && is_digit(s[i])) value = value * 10 + (s[i++] - '0');
    const std::size_t digits = i - start;
    if (digits == 0 || value > 255 || (digits > 1 && s[start] == '0')) return false;
    if (octet == 3) return i == s.size();
    if (i == s.size() || s[i] != '.') return false;
    ++i;
  }
}

bool is_h16(std::string_view s) {
  if (s.empty() || s.size() > 4) return false;
  for (char c : s)
    if (!is_hexdig(c)) return false;
  return true;
}

// IPv6address (RFC 3986 §3.2.2): eight 16-bit pieces, the last two of which may be written as
// an IPv4address, and at most one "::" standing for one or more zero pieces.
bool is_ipv6(std::string_view s) {
  int pieces = 0;
  bool elided = false;
  std::size_t i = 0;
  if (s.starts_with("::")) {
    elided = true;
    i = 2;
  }
  while (i < s.size()) {
    std::size_t end = s.find(':', i);
    if (end == std::string_view::npos) end = s.size();
    const std::string_view piece = s.substr(i, end - i);
    if (piece.find('.') != std::string_view::npos) {
      // ls32 = ( h16 ":" h16 ) / IPv4address: an IPv4 form only at the very end.
      if (end != s.size() || !is_ipv4(piece)) return false;
      pieces += 2;
      break;
    }
    if (!is_h16(piece)) return false;
    ++pieces;
    if (end == s.size()) break;
    if (end + 1 < s.size() && s[end + 1] == ':') {
      if (elided) return false;
      elided = true;
      i = end + 2;
    } else {
      i = end + 1;
      if (i == s.size()) return false;  // a single trailing ':'
    }
  }
  return elided ? pieces <= 7 : pieces == 8;
}

// IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" ) (RFC 3986 §3.2.2)
bool is_ipv_future(std::string_view s) {
  if (s.empty() || (s.front() != 'v' && s.front() != 'V')) return false;
  const std::size_t dot = s.find('.');
  if (dot == std::string_view::npos || dot < 2) return false;
  for (std::size_t i = 1; i < dot; ++i)
    if (!is_hexdig(s[i])) return false;
  const std::string_view rest = s.substr(dot + 1);
  if (rest.empty()) return false;
  for (char c : rest)
    if (!uri_chars::is_unreserved(c) && !uri_chars::is_sub_delim(c) && c != ':') return false;
  return true;
}

// port = *DIGIT (RFC 3986 §3.2.3), limited to what a TCP port can hold.
uri_error parse_port(std::string_view text, uri_authority& out) {
  for (char c : text)
    if (!is_digit(c)) return uri_error::invalid_port;
  out.port_text = text;
  if (text.empty()) return uri_error::none;
  std::uint32_t value = 0;
  for (char c : text) {
    value = value * 10 + static_cast<std::uint32_t>(c - '0');
    if (value > 65535) return uri_error::port_out_of_range;
  }
  out.port = static_cast<std::uint16_t>(value);
  return uri_error::none;
}

uri_error parse_authority_into(std::string_view text, uri_authority& out) {
  std::string_view host_port = text;
  if (const std::size_t at = text.find('@'); at != std::string_view::npos) {
    const std::string_view userinfo = text.substr(0, at);
    if (uri_error e = check_component(userinfo, userinfo_chars, uri_error::invalid_userinfo);
        e != uri_error::none)
      return e;
    out.userinfo = userinfo;
    host_port = text.substr(at + 1);
  }
  std::string_view after_host;
  if (host_port.starts_with('[')) {
    const std::size_t close = host_port.find(']');
    if (close == std::string_view::npos) return uri_error::invalid_ip_literal;
    const std::string_view literal = host_port.substr(1, close - 1);
    if (is_ipv6(literal))
      out.kind = host_kind::ipv6;
    else if (is_ipv_future(literal))
      out.kind = host_kind::ipv_future;
    else
      return uri_error::invalid_ip_literal;
    out.host = host_port.substr(0, close + 1);
    after_host = host_port.substr(close + 1);
    // Only ":" port may follow the closing bracket.
    if (!after_host.empty() && after_host.front() != ':') return uri_error::invalid_ip_literal;
  } else {
    const std::size_t colon = host_port.find(':');
    out.host = host_port.substr(0, colon);
    if (colon != std::string_view::npos) after_host = host_port.substr(colon);
    if (uri_error e = check_component(out.host, reg_name_chars, uri_error::invalid_host);
        e != uri_error::none)
      return e;
    out.kind = is_ipv4(out.host) ? host_kind::ipv4 : host_kind::reg_name;
  }
  if (after_host.empty()) return uri_error::none;
  return parse_port(after_host.substr(1), out);
}

enum class reference_kind : std::uint8_t { any, uri, absolute_uri };

uri_parse_result parse(std::string_view text, reference_kind kind) {
  uri_parse_result result;
  uri_reference& ref = result.uri;
  auto fail = [&result](uri_error e) {
    result.uri = {};
    result.error = e;
    return result;
  };

  std::string_view rest = text;
  // RFC 3986 §3.1, §4.2: a ':' before any '/', '?' or '#' ends a scheme; in a relative
  // reference such a ':' is not allowed (path-noscheme), so the text is invalid either way.
  if (const std::size_t end = text.find_first_of(":/?#");
      end != std::string_view::npos && text[end] == ':') {
    const std::string_view scheme = text.substr(0, end);
    if (!is_scheme(scheme))
      return fail(kind == reference_kind::any ? uri_error::colon_in_first_segment
                                              : uri_error::invalid_scheme);
    ref.scheme = scheme;
    rest = text.substr(end + 1);
  } else if (kind != reference_kind::any) {
    return fail(uri_error::missing_scheme);
  }

  std::optional<std::string_view> fragment;
  if (const std::size_t hash = rest.find('#'); hash != std::string_view::npos) {
    fragment = rest.substr(hash + 1);
    rest = rest.substr(0, hash);
  }
  if (const std::size_t question = rest.find('?'); question != std::string_view::npos) {
    ref.query = rest.substr(question + 1);
    rest = rest.substr(0, question);
  }
  if (rest.starts_with("//")) {
    const std::size_t slash = rest.find('/', 2);
    ref.authority.emplace();
    if (uri_error e = parse_authority_into(rest.substr(2, slash - 2), *ref.authority);
        e != uri_error::none)
      return fail(e);
    // An empty path is still a view into the text, just past the authority.
    rest = rest.substr(slash == std::string_view::npos ? rest.size() : slash);
  }
  ref.path = rest;
  if (uri_error e = check_component(ref.path, path_chars, uri_error::invalid_path);
      e != uri_error::none)
    return fail(e);
  if (ref.query) {
    if (uri_error e = check_component(*ref.query, query_chars, uri_error::invalid_query);
        e != uri_error::none)
      return fail(e);
  }
  if (fragment) {
    if (kind == reference_kind::absolute_uri) return fail(uri_error::fragment_not_allowed);
    if (uri_error e = check_component(*fragment, query_chars, uri_error::invalid_fragment);
        e != uri_error::none)
      return fail(e);
    ref.fragment = fragment;
  }
  return result;
}

void append_authority(std::string& out, const uri_authority& a) {
  if (a.userinfo) {
    out += *a.userinfo;
    out += '@';
  }
  out += a.host;
  if (a.port_text) {
    out += ':';
    out += *a.port_text;
  }
}

// The path, guarded so that it is read back as a path: with no authority, a path that starts
// with "//" would be taken for one, so it is written "/." + path, which names the same resource
// once dot segments are removed.
void append_path(std::string& out, bool has_authority, std::string_view path) {
  if (!has_authority && path.starts_with("//")) out += "/.";
  out += path;
}

// Drops the last segment of `out` and the '/' before it (RFC 3986 §5.2.4 step 2C).
void pop_segment(std::string& out) {
  const std::size_t slash = out.rfind('/');
  out.resize(slash == std::string::npos ? 0 : slash);
}

// merge (RFC 3986 §5.2.3)
std::string merge(const uri_reference& base, std::string_view reference_path) {
  std::string merged;
  if (base.authority && base.path.empty()) {
    merged = "/";
  } else {
    const std::size_t slash = base.path.rfind('/');
    if (slash != std::string_view::npos) merged = base.path.substr(0, slash + 1);
  }
  merged += reference_path;
  return merged;
}

// RFC 3986 §6.2.2.1–6.2.2.2: uppercase hex digits, decode unreserved characters; `lower` also
// lowercases everything else (the host). `s` comes from a successful parse, so every '%'
// starts a well-formed triplet.
void append_pct_normalized(std::string& out, std::string_view s, bool lower) {
  static constexpr char hex_digits[] = "0123456789ABCDEF";
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += lower ? syntax::to_lower(s[i]) : s[i];
      continue;
    }
    const char decoded = uri_chars::pct_decoded(s, i);
    i += 2;
    if (uri_chars::is_unreserved(decoded)) {
      out += lower ? syntax::to_lower(decoded) : decoded;
    } else {
      const auto value = static_cast<unsigned char>(decoded);
      out += '%';
      out += hex_digits[value >> 4];
      out += hex_digits[value & 0xF];
    }
  }
}

}  // namespace

std::string_view describe(uri_error e) {
  switch (e) {
    case uri_error::none:
      return "URI is valid";
    case uri_error::missing_scheme:
      return "URI has no scheme";
    case uri_error::invalid_scheme:
      return "URI scheme is not valid";
    case uri_error::colon_in_first_segment:
      return "relative reference has ':' in its first path segment";
    case uri_error::invalid_userinfo:
      return "URI userinfo contains a character not allowed there";
    case uri_error::invalid_host:
      return "URI host contains a character not allowed in a host name";
    case uri_error::invalid_ip_literal:
      return "URI host IP literal is malformed";
    case uri_error::invalid_port:
      return "URI port is not a number";
    case uri_error::port_out_of_range:
      return "URI port is larger than 65535";
    case uri_error::invalid_path:
      return "URI path contains a character not allowed there";
    case uri_error::invalid_query:
      return "URI query contains a character not allowed there";
    case uri_error::invalid_fragment:
      return "URI fragment contains a character not allowed there";
    case uri_error::fragment_not_allowed:
      return "URI must not have a fragment here";
    case uri_error::invalid_percent_encoding:
      return "URI has a '%' that is not followed by two hex digits";
  }
  return "URI is not valid";
}

uri_parse_result parse_uri_reference(std::string_view text) {
  return parse(text, reference_kind::any);
}

uri_parse_result parse_uri(std::string_view text) {
  return parse(text, reference_kind::uri);
}

uri_parse_result parse_absolute_uri(std::string_view text) {
  return parse(text, reference_kind::absolute_uri);
}

uri_authority_result parse_authority(std::string_view text) {
  uri_authority_result result;
  result.error = parse_authority_into(text, result.authority);
  if (result.error != uri_error::none) result.authority = {};
  return result;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (!uri_chars::is_pct_encoded(text, i)) return std::nullopt;
    out += uri_chars::pct_decoded(text, i);
    i += 2;
  }
  return out;
}

std::string remove_dot_segments(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  while (!in.empty()) {
    if (in.starts_with("../")) {  // 2A
      in.remove_prefix(3);
    } else if (in.starts_with("./")) {  // 2A
      in.remove_prefix(2);
    } else if (in.starts_with("/./")) {  // 2B: "/./" becomes "/"
      in.remove_prefix(2);
    } else if (in == "/.") {  // 2B: "/." becomes "/"
      in.remove_suffix(1);
    } else if (in.starts_with("/../")) {  // 2C
      in.remove_prefix(3);
      pop_segment(out);
    } else if (in == "/..") {  // 2C
      in.remove_suffix(2);
      pop_segment(out);
    } else if (in == "." || in == "..") {  // 2D
      in = {};
    } else {  // 2E: move the first segment, with its leading '/', to the output
      const std::size_t end = in.find('/', 1);
      const std::size_t length = end == std::string_view::npos ? in.size() : end;
      out += in.substr(0, length);
      in.remove_prefix(length);
    }
  }
  return out;
}

std::string recompose(const uri_reference& ref) {
  std::string out;
  if (ref.scheme) {
    out += *ref.scheme;
    out += ':';
  }
  if (ref.authority) {
    out += "//";
    append_authority(out, *ref.authority);
  }
  append_path(out, ref.authority.has_value(), ref.path);
  if (ref.query) {
    out += '?';
    out += *ref.query;
  }
  if (ref.fragment) {
    out += '#';
    out += *ref.fragment;
  }
  return out;
}

std::optional<std::string> resolve(const uri_reference& base, const uri_reference& reference) {
  if (!base.scheme) return std::nullopt;
  // RFC 3986 §5.2.2, the strict algorithm.
  const uri_reference& r = reference;
  std::string_view scheme = *base.scheme;
  const uri_authority* authority = base.authority ? &*base.authority : nullptr;
  std::string path;
  std::optional<std::string_view> query = r.query;
  if (r.scheme) {
    scheme = *r.scheme;
    authority = r.authority ? &*r.authority : nullptr;
    path = remove_dot_segments(r.path);
  } else if (r.authority) {
    authority = &*r.authority;
    path = remove_dot_segments(r.path);
  } else if (r.path.empty()) {
    path = base.path;
    if (!r.query) query = base.query;
  } else if (r.path.starts_with('/')) {
    path = remove_dot_segments(r.path);
  } else {
    path = remove_dot_segments(merge(base, r.path));
  }

  std::string out;
  out.reserve(scheme.size() + path.size() + r.path.size() + 16);
  out += scheme;
  out += ':';
  if (authority) {
    out += "//";
    append_authority(out, *authority);
  }
  append_path(out, authority != nullptr, path);
  if (query) {
    out += '?';
    out += *query;
  }
  if (r.fragment) {
    out += '#';
    out += *r.fragment;
  }
  return out;
}

std::optional<std::string> resolve(std::string_view base, std::string_view reference) {
  const uri_parse_result b = parse_uri(base);
  const uri_parse_result r = parse_uri_reference(reference);
  if (!b || !r) return std::nullopt;
  return resolve(b.uri, r.uri);
}

std::optional<std::uint16_t> default_port(std::string_view scheme) {
  if (syntax::iequals(scheme, "http")) return 80;
  if (syntax::iequals(scheme, "https")) return 443;
  return std::nullopt;
}

std::string normalize(const uri_reference& ref) {
  std::string out;
  out.reserve(ref.path.size() + 32);
  if (ref.scheme) {
    for (char c : *ref.scheme) out += syntax::to_lower(c);
    out += ':';
  }
  if (ref.authority) {
    const uri_authority& a = *ref.authority;
    out += "//";
    if (a.userinfo) {
      append_pct_normalized(out, *a.userinfo, false);
      out += '@';
    }
    append_pct_normalized(out, a.host, true);
    // RFC 3986 §6.2.3: an empty port or the scheme's default port is the same as none.
    if (a.port && (!ref.scheme || a.port != default_port(*ref.scheme))) {
      out += ':';
      out += std::to_string(*a.port);
    }
  }
  std::string path;
  append_pct_normalized(path, ref.path, false);
  if (ref.scheme) {
    // RFC 3986 §6.2.2.3: dot segments have meaning only in a hierarchical path; a rootless
    // path ("urn:a/../b") is opaque, and a relative reference's depends on its base.
    if (path.starts_with('/')) path = remove_dot_segments(path);
    // RFC 9110 §4.2.3: for http(s), an empty path is the same as "/".
    if (path.empty() && ref.authority && default_port(*ref.scheme)) path = "/";
  }
  append_path(out, ref.authority.has_value(), path);
  if (ref.query) {
    out += '?';
    append_pct_normalized(out, *ref.query, false);
  }
  if (ref.fragment) {
    out += '#';
    append_pct_normalized(out, *ref.fragment, false);
  }
  return out;
}

std::optional<std::string> normalize(std::string_view text) {
  const uri_parse_result r = parse_uri_reference(text);
  if (!r) return std::nullopt;
  return normalize(r.uri);
}

bool uri_equivalent(std::string_view a, std::string_view b) {
  const std::optional<std::string> na = normalize(a);
  const std::optional<std::string> nb = normalize(b);
  return na && nb && *na == *nb;
}

bool same_origin(const uri_reference& a, const uri_reference& b) {
  if (!a.scheme || !b.scheme || !a.authority || !b.authority) return false;
  if (!syntax::iequals(*a.scheme, *b.scheme)) return false;
  if (!syntax::iequals(a.authority->host, b.authority->host)) return false;
  const auto effective_port = [](const uri_reference& u) {
    return u.authority->port ? u.authority->port : default_port(*u.scheme);
  };
  return effective_port(a) == effective_port(b);
}

}  // namespace herald::core
