#include "server/protocol.hpp"

#include <fmt/format.h>

#include <algorithm>

#include <herald/core/request_target.hpp>
#include <herald/core/safe_path.hpp>
#include <herald/core/syntax.hpp>

#include "server/error_page.hpp"

namespace herald::server {

namespace {

std::optional<std::string_view> accept_of(const http1::request_head& head) {
  return head.find("Accept");
}

// The host part of an authority ("example.com:8080" → "example.com").
std::string_view host_of(std::string_view authority) {
  core::host_parse_result parsed = core::parse_host(authority);
  return parsed ? parsed.host.host : authority;
}

bool serves_name(const options& opts, std::string_view authority) {
  if (opts.server_names.empty()) return true;
  std::string_view host = host_of(authority);
  return std::any_of(opts.server_names.begin(), opts.server_names.end(),
                     [&](const std::string& name) { return core::syntax::iequals(name, host); });
}

}  // namespace

bool wants_continue(const http1::request_head& head) {
  return head.version_minor >= 1 && core::syntax::iequals(head.expect, "100-continue");
}

std::optional<response> protocol_response(const http1::request_head& head,
                                          const protocol_context& context) {
  const auto accept = accept_of(head);
  if (context.draining) {
    response r = error_response(503, "The server is shutting down; retry on a new connection.",
                                accept, "draining");
    r.fields.set("Retry-After", fmt::format("{}", context.opts.retry_after.count()));
    r.close = true;
    return r;
  }
  // RFC 9110 §4.2.2, §7.4: an https resource is never served over cleartext as if secure.
  if (head.form == core::target_form::absolute && !context.secure &&
      core::syntax::iequals(head.scheme, "https"))
    return error_response(421, "This connection is not secured: an https URI cannot be served on it.",
                          accept, "https-on-cleartext");
  // An HTTP/1.0 request may have no Host at all; it goes to this server as nginx's default.
  if (context.opts.strict_host && !head.authority.empty() &&
      !serves_name(context.opts, head.authority))
    return error_response(
        421, fmt::format("This server does not serve the host \"{}\".", host_of(head.authority)),
        accept, "misdirected-host");
  if (!head.known_method)
    return error_response(
        501, fmt::format("The method {} is not implemented by this server (RFC 9110 §9.1).",
                         head.method),
        accept, "unknown-method");
  // RFC 9110 §10.1.1: the only expectation defined is 100-continue.
  if (!head.expect.empty() && !core::syntax::iequals(head.expect, "100-continue")) {
    response r = error_response(
        417, fmt::format("The expectation \"{}\" cannot be met; only 100-continue is known.",
                         head.expect),
        accept, "unknown-expectation");
    r.close = head.framing != http1::body_framing::none;
    return r;
  }
  if (head.form == core::target_form::asterisk) {
    // RFC 9110 §9.3.7: OPTIONS * asks about the server as a whole.
    response r(204);
    r.fields.add("Allow", context.allow);
    return r;
  }
  return std::nullopt;
}

response rejection_response(http1::error e, std::optional<std::string_view> accept) {
  const http1::error_info& info = http1::info(e);
  response r = error_response(core::to_int(info.status), info.sentence, accept, info.token);
  r.close = info.close;
  return r;
}

bool denied_path(const http1::request_head& head, const options& opts) {
  if (opts.deny_paths.empty()) return false;
  // Compared on the path as a file server will read it: decoded, dot segments removed, empty
  // segments collapsed, so that /%70rivate, /public/../private and //private are all caught.
  core::safe_path_result mapped = core::map_safe_path(head.path);
  if (!mapped) return false;  // not a path any handler will serve (400 follows)
  std::string path = "/" + mapped.path.relative;
  return std::any_of(opts.deny_paths.begin(), opts.deny_paths.end(), [&](const std::string& p) {
    std::string_view prefix = p;
    while (prefix.size() > 1 && prefix.back() == '/') prefix.remove_suffix(1);
    // Whole segments only: /private denies /private and /private/key, not /privateer.
    return path.starts_with(prefix) &&
           (path.size() == prefix.size() || prefix == "/" || path[prefix.size()] == '/');
  });
}

}  // namespace herald::server
