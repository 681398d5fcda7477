// Invariants of the request-target and Host parsers. The first input byte picks the method
// ('0' GET, '1' CONNECT, '2' OPTIONS, '3' POST, by its value modulo 4); the rest is the target,
// and also, whole, a Host field value.
// - the form agrees with the method: asterisk only with OPTIONS and only for "*", CONNECT
//   always and only authority-form;
// - every view points into the target, and the pieces rebuild it: path ["?" query] for
//   origin-form, host ":" port for authority-form, recompose() for absolute-form;
// - an origin-form target is valid exactly when "http://h" + target is a valid absolute-URI;
// - an http(s) absolute-form target has a non-empty host and no userinfo;
// - a valid Host value has no userinfo and rebuilds to the OWS-trimmed input.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <herald/core/request_target.hpp>
#include <herald/core/syntax.hpp>
#include <herald/core/uri.hpp>

#include "fuzz_support.hpp"

namespace {

using namespace herald::core;
using herald::fuzz::check;
using herald::fuzz::points_into;

std::string host_port_text(const uri_authority& a) {
  std::string text(a.host);
  if (a.port_text) text += ':' + std::string(*a.port_text);
  return text;
}

void check_target(std::string_view method, std::string_view target) {
  const target_parse_result r = parse_request_target(method, target);
  check(!describe(r.error).empty());
  if (target.front() == '/' && method != "CONNECT") {
    const std::string absolute = "http://h" + std::string(target);
    check(static_cast<bool>(r) == static_cast<bool>(parse_absolute_uri(absolute)));
  }
  if (!r) return;
  const request_target& t = r.target;
  check((method == "CONNECT") == (t.form == target_form::authority));
  check((t.form == target_form::asterisk) == (target == "*"));
  if (t.form == target_form::asterisk) check(method == "OPTIONS");
  if (t.query) check(points_into(*t.query, target));

  switch (t.form) {
    case target_form::origin: {
      check(points_into(t.path, target) && t.path.starts_with('/'));
      std::string rebuilt(t.path);
      if (t.query) rebuilt += '?' + std::string(*t.query);
      check(rebuilt == target);
      break;
    }
    case target_form::absolute: {
      check(t.components.scheme.has_value());
      check(recompose(t.components) == target);
      const std::string_view scheme = *t.components.scheme;
      if (syntax::iequals(scheme, "http") || syntax::iequals(scheme, "https")) {
        check(t.components.authority && !t.components.authority->host.empty());
        check(!t.components.authority->userinfo);
        check(t.path.starts_with('/'));
      }
      break;
    }
    case target_form::authority: {
      const uri_authority& a = *t.components.authority;
      check(!a.userinfo && !a.host.empty() && a.port.has_value());
      check(host_port_text(a) == target);
      check(t.path.empty() && !t.query);
      break;
    }
    case target_form::asterisk:
      check(t.path.empty() && !t.query && !t.components.authority);
      break;
  }
}

void check_host(std::string_view value) {
  const host_parse_result r = parse_host(value);
  check(!describe(r.error).empty());
  if (!r) return;
  check(!r.host.userinfo);
  check(host_port_text(r.host) == syntax::trim_ows(value));
  if (r.host.kind == host_kind::ipv6 || r.host.kind == host_kind::ipv_future)
    check(r.host.host.starts_with('[') && r.host.host.ends_with(']'));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr std::string_view methods[] = {"GET", "CONNECT", "OPTIONS", "POST"};
  const std::string_view method = methods[data[0] % 4];
  const std::string_view target(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (target.empty()) {
    check(parse_request_target(method, target).error == target_error::empty);
  } else {
    check_target(method, target);
  }
  check_host(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
