#pragma once
// Request methods: the IANA HTTP Method Registry with each method's properties
// (RFC 9110 §9.2: safe, idempotent; §9.2.3: cacheable), WebDAV's methods included.
// Method names are case-sensitive (RFC 9110 §9.1): "get" is not GET.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace herald::core {

enum class method : std::uint8_t {
  acl,
  baseline_control,
  bind,
  checkin,
  checkout,
  connect,
  copy,
  delete_,
  get,
  head,
  label,
  link,
  lock,
  merge,
  mkactivity,
  mkcalendar,
  mkcol,
  mkredirectref,
  mkworkspace,
  move,
  options,
  orderpatch,
  patch,
  post,
  pri,
  propfind,
  proppatch,
  put,
  rebind,
  report,
  search,
  trace,
  unbind,
  uncheckout,
  unlink,
  unlock,
  update,
  updateredirectref,
  version_control,
};

struct method_info {
  method id;
  std::string_view name;  // as on the wire
  bool safe;              // RFC 9110 §9.2.1
  bool idempotent;        // RFC 9110 §9.2.2
  bool cacheable;         // RFC 9110 §9.2.3: GET, HEAD and (with explicit freshness) POST
  std::string_view reference;
};

// Every registered method, in the order of the enum.
std::span<const method_info> all_methods();
const method_info& info(method m);
std::string_view to_string(method m);

// The registered method with exactly this name, or nullopt. A well-formed token that is not
// registered is still a method (the server answers 501 to it, RFC 9110 §9.1).
std::optional<method> parse_method(std::string_view name);

// The longest registered name: a request method longer than this is certainly unknown, and
// the server can answer 501 without buffering the rest of it (RFC 9112 §3).
inline constexpr std::size_t longest_method_name = 17;  // UPDATEREDIRECTREF

}  // namespace herald::core
