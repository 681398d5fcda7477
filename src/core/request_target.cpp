#include "herald/core/request_target.hpp"

#include <array>
#include <cstddef>

#include "herald/core/syntax.hpp"

namespace herald::core {

namespace {

// origin-form is checked by hand rather than through the URI parser: its absolute-path may
// start with "//" (RFC 9112 §3.2.1: absolute-path = 1*( "/" segment )), which a URI-reference
// would read as an authority. A table keeps this per-request scan to one lookup per octet.
enum origin_char : std::uint8_t {
  in_path = 1 << 0,   // pchar / "/"
  in_query = 1 << 1,  // pchar / "/" / "?"
};

constexpr std::array<std::uint8_t, 256> make_origin_table() {
  std::array<std::uint8_t, 256> table{};
  for (int i = 0; i < 256; ++i) {
    const char c = static_cast<char>(i);
    if (uri_chars::is_pchar(c) || c == '/') table[static_cast<std::size_t>(i)] = in_path | in_query;
    if (c == '?') table[static_cast<std::size_t>(i)] = in_query;
  }
  return table;
}
constexpr std::array<std::uint8_t, 256> origin_table = make_origin_table();

// Checks `s` against one origin_char set; '#' gets its own reason because it is the one
// mistake a client makes on purpose (sending the fragment).
target_error check_origin_part(std::string_view s, std::uint8_t set, target_error bad_char) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%') {
      if (!uri_chars::is_pct_encoded(s, i)) return target_error::invalid_percent_encoding;
      i += 2;
    } else if ((origin_table[static_cast<unsigned char>(c)] & set) == 0) {
      return c == '#' ? target_error::fragment_not_allowed : bad_char;
    }
  }
  return target_error::none;
}

target_error from_uri_error(uri_error e) {
  switch (e) {
    case uri_error::none:
      return target_error::none;
    case uri_error::missing_scheme:
    case uri_error::invalid_scheme:
    case uri_error::colon_in_first_segment:
      return target_error::not_a_target_form;
    case uri_error::invalid_userinfo:
      return target_error::invalid_userinfo;
    case uri_error::invalid_host:
    case uri_error::invalid_ip_literal:
      return target_error::invalid_host;
    case uri_error::invalid_port:
      return target_error::invalid_port;
    case uri_error::port_out_of_range:
      return target_error::port_out_of_range;
    case uri_error::invalid_path:
      return target_error::invalid_path;
    case uri_error::invalid_query:
      return target_error::invalid_query;
    case uri_error::invalid_fragment:
    case uri_error::fragment_not_allowed:
      return target_error::fragment_not_allowed;
    case uri_error::invalid_percent_encoding:
      return target_error::invalid_percent_encoding;
  }
  return target_error::not_a_target_form;
}

target_parse_result failure(target_error e) {
  target_parse_result result;
  result.error = e;
  return result;
}

target_parse_result parse_origin_form(std::string_view target) {
  const std::size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  if (target_error e = check_origin_part(path, in_path, target_error::invalid_path);
      e != target_error::none)
    return failure(e);
  target_parse_result result;
  result.target.form = target_form::origin;
  result.target.components.path = path;
  result.target.path = path;
  if (question != std::string_view::npos) {
    const std::string_view query = target.substr(question + 1);
    if (target_error e = check_origin_part(query, in_query, target_error::invalid_query);
        e != target_error::none)
      return failure(e);
    result.target.components.query = query;
    result.target.query = query;
  }
  return result;
}

// authority-form = uri-host ":" port (RFC 9112 §3.2.3)
target_parse_result parse_authority_form(std::string_view target) {
  // '/', '?' and '#' cannot appear in an authority: such a target is another form.
  if (target.find_first_of("/?#") != std::string_view::npos)
    return failure(target_error::connect_requires_authority_form);
  const uri_authority_result r = parse_authority(target);
  if (!r) return failure(from_uri_error(r.error));
  if (r.authority.userinfo) return failure(target_error::userinfo_not_allowed);
  if (r.authority.host.empty()) return failure(target_error::missing_host);
  // RFC 9110 §9.3.6: CONNECT has no default port.
  if (!r.authority.port) return failure(target_error::missing_port);
  target_parse_result result;
  result.target.form = target_form::authority;
  result.target.components.authority = r.authority;
  return result;
}

target_parse_result parse_absolute_form(std::string_view target) {
  const uri_parse_result r = parse_absolute_uri(target);
  if (!r) return failure(from_uri_error(r.error));
  const uri_reference& u = r.uri;
  if (syntax::iequals(*u.scheme, "http") || syntax::iequals(*u.scheme, "https")) {
    // RFC 9110 §4.2.4: userinfo in an http(s) URI is an error; §4.2.1: a recipient must reject
    // an http(s) URI with an empty host as invalid.
    if (u.authority && u.authority->userinfo) return failure(target_error::userinfo_not_allowed);
    if (!u.authority || u.authority->host.empty()) return failure(target_error::missing_host);
  }
  target_parse_result result;
  result.target.form = target_form::absolute;
  result.target.components = u;
  // RFC 9110 §4.2.3: an empty path after an authority is the same as "/".
  result.target.path = (u.path.empty() && u.authority) ? std::string_view{"/"} : u.path;
  result.target.query = u.query;
  return result;
}

}  // namespace

std::string_view describe(target_error e) {
  switch (e) {
    case target_error::none:
      return "request target is valid";
    case target_error::empty:
      return "request target is empty";
    case target_error::not_a_target_form:
      return "request target is not origin-form, absolute-form, authority-form or asterisk-form";
    case target_error::fragment_not_allowed:
      return "request target must not contain a fragment";
    case target_error::invalid_path:
      return "request target path contains a character not allowed there";
    case target_error::invalid_query:
      return "request target query contains a character not allowed there";
    case target_error::invalid_percent_encoding:
      return "request target has a '%' that is not followed by two hex digits";
    case target_error::invalid_userinfo:
      return "request target userinfo contains a character not allowed there";
    case target_error::invalid_host:
      return "request target host is not valid";
    case target_error::invalid_port:
      return "request target port is not a number";
    case target_error::port_out_of_range:
      return "request target port is larger than 65535";
    case target_error::missing_port:
      return "CONNECT request target has no port";
    case target_error::missing_host:
      return "request target has no host";
    case target_error::userinfo_not_allowed:
      return "request target must not contain userinfo (user@host)";
    case target_error::asterisk_requires_options:
      return "request target '*' is only allowed with OPTIONS";
    case target_error::connect_requires_authority_form:
      return "CONNECT request target must be host:port";
  }
  return "request target is not valid";
}

target_parse_result parse_request_target(std::string_view method, std::string_view target) {
  if (target.empty()) return failure(target_error::empty);
  // RFC 9112 §3.2.4: asterisk-form is only for a server-wide OPTIONS.
  if (target == "*") {
    if (method != "OPTIONS") return failure(target_error::asterisk_requires_options);
    target_parse_result result;
    result.target.form = target_form::asterisk;
    return result;
  }
  // RFC 9112 §3.2.3: authority-form is only for CONNECT, and CONNECT uses only it.
  if (method == "CONNECT") return parse_authority_form(target);
  if (target.front() == '/') return parse_origin_form(target);
  return parse_absolute_form(target);
}

std::string_view describe(host_error e) {
  switch (e) {
    case host_error::none:
      return "Host is valid";
    case host_error::invalid_character:
      return "Host contains a character not allowed in a host";
    case host_error::userinfo_not_allowed:
      return "Host must not contain userinfo (user@host)";
    case host_error::invalid_ip_literal:
      return "Host IP literal is malformed";
    case host_error::invalid_port:
      return "Host port is not a number";
    case host_error::port_out_of_range:
      return "Host port is larger than 65535";
    case host_error::invalid_percent_encoding:
      return "Host has a '%' that is not followed by two hex digits";
  }
  return "Host is not valid";
}

host_parse_result parse_host(std::string_view field_value) {
  host_parse_result result;
  const std::string_view value = syntax::trim_ows(field_value);
  // RFC 9110 §7.2: Host = uri-host [ ":" port ]; unlike an authority it has no userinfo.
  if (value.find('@') != std::string_view::npos) {
    result.error = host_error::userinfo_not_allowed;
    return result;
  }
  const uri_authority_result r = parse_authority(value);
  switch (r.error) {
    case uri_error::none:
      result.host = r.authority;
      break;
    case uri_error::invalid_ip_literal:
      result.error = host_error::invalid_ip_literal;
      break;
    case uri_error::invalid_port:
      result.error = host_error::invalid_port;
      break;
    case uri_error::port_out_of_range:
      result.error = host_error::port_out_of_range;
      break;
    case uri_error::invalid_percent_encoding:
      result.error = host_error::invalid_percent_encoding;
      break;
    default:
      result.error = host_error::invalid_character;
      break;
  }
  return result;
}

}  // namespace herald::core
