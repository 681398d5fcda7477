#include <herald/core/method.hpp>

#include <algorithm>
#include <array>

namespace herald::core {

namespace {

using enum method;

// The IANA HTTP Method Registry. Safe and idempotent columns as registered.
constexpr auto method_table = std::to_array<method_info>({
    {acl, "ACL", false, true, false, "RFC 3744 §8.1"},
    {baseline_control, "BASELINE-CONTROL", false, true, false, "RFC 3253 §12.6"},
    {bind, "BIND", false, true, false, "RFC 5842 §4"},
    {checkin, "CHECKIN", false, true, false, "RFC 3253 §4.4, §9.4"},
    {checkout, "CHECKOUT", false, true, false, "RFC 3253 §4.3, §8.8"},
    {connect, "CONNECT", false, false, false, "RFC 9110 §9.3.6"},
    {copy, "COPY", false, true, false, "RFC 4918 §9.8"},
    {delete_, "DELETE", false, true, false, "RFC 9110 §9.3.5"},
    {get, "GET", true, true, true, "RFC 9110 §9.3.1"},
    {head, "HEAD", true, true, true, "RFC 9110 §9.3.2"},
    {label, "LABEL", false, true, false, "RFC 3253 §8.2"},
    {link, "LINK", false, true, false, "RFC 2068 §19.6.1.2"},
    {lock, "LOCK", false, false, false, "RFC 4918 §9.10"},
    {merge, "MERGE", false, true, false, "RFC 3253 §11.2"},
    {mkactivity, "MKACTIVITY", false, true, false, "RFC 3253 §13.5"},
    {mkcalendar, "MKCALENDAR", false, true, false, "RFC 4791 §5.3.1"},
    {mkcol, "MKCOL", false, true, false, "RFC 4918 §9.3"},
    {mkredirectref, "MKREDIRECTREF", false, true, false, "RFC 4437 §6"},
    {mkworkspace, "MKWORKSPACE", false, true, false, "RFC 3253 §6.3"},
    {move, "MOVE", false, true, false, "RFC 4918 §9.9"},
    {options, "OPTIONS", true, true, false, "RFC 9110 §9.3.7"},
    {orderpatch, "ORDERPATCH", false, true, false, "RFC 3648 §7"},
    {patch, "PATCH", false, false, false, "RFC 5789 §2"},
    {post, "POST", false, false, true, "RFC 9110 §9.3.3"},
    {pri, "PRI", true, true, false, "RFC 9113 §3.4"},
    {propfind, "PROPFIND", true, true, false, "RFC 4918 §9.1"},
    {proppatch, "PROPPATCH", false, true, false, "RFC 4918 §9.2"},
    {put, "PUT", false, true, false, "RFC 9110 §9.3.4"},
    {rebind, "REBIND", false, true, false, "RFC 5842 §6"},
    {report, "REPORT", true, true, false, "RFC 3253 §3.6"},
    {search, "SEARCH", true, true, false, "RFC 5323 §2"},
    {trace, "TRACE", true, true, false, "RFC 9110 §9.3.8"},
    {unbind, "UNBIND", false, true, false, "RFC 5842 §5"},
    {uncheckout, "UNCHECKOUT", false, true, false, "RFC 3253 §4.5"},
    {unlink, "UNLINK", false, true, false, "RFC 2068 §19.6.1.3"},
    {unlock, "UNLOCK", false, true, false, "RFC 4918 §9.11"},
    {update, "UPDATE", false, true, false, "RFC 3253 §7.1"},
    {updateredirectref, "UPDATEREDIRECTREF", false, true, false, "RFC 4437 §7"},
    {version_control, "VERSION-CONTROL", false, true, false, "RFC 3253 §3.5"},
});

constexpr bool table_follows_enum() {
  for (std::size_t i = 0; i < method_table.size(); ++i)
    if (static_cast<std::size_t>(method_table[i].id) != i) return false;
  return true;
}
static_assert(table_follows_enum(), "method_table must list the methods in enum order");

constexpr bool longest_name_is_right() {
  std::size_t longest = 0;
  for (const method_info& m : method_table) longest = std::max(longest, m.name.size());
  return longest == longest_method_name;
}
static_assert(longest_name_is_right());

}  // namespace

std::span<const method_info> all_methods() { return method_table; }
const method_info& info(method m) { return method_table[static_cast<std::size_t>(m)]; }
std::string_view to_string(method m) { return info(m).name; }

std::optional<method> parse_method(std::string_view name) {
  // The three methods of nearly every request first, then the whole table.
  if (name == "GET") return get;
  if (name == "POST") return post;
  if (name == "HEAD") return head;
  if (name.size() > longest_method_name) return std::nullopt;
  for (const method_info& m : method_table)
    if (m.name == name) return m.id;
  return std::nullopt;
}

}  // namespace herald::core
