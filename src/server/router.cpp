#include <herald/server/router.hpp>

#include <algorithm>

#include <herald/core/fields.hpp>

namespace herald::server {

router::router(handler& fallback) : fallback_(fallback) {
  merge_allow(fallback.server_allow());
}

bool router::beneath(std::string_view path, std::string_view prefix) {
  while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
  if (prefix.empty()) return true;
  return path.starts_with(prefix) && (path.size() == prefix.size() || path[prefix.size()] == '/');
}

void router::mount(std::string prefix, handler& h) {
  mounts_.push_back({std::move(prefix), &h});
  std::stable_sort(mounts_.begin(), mounts_.end(), [](const mount_point& a, const mount_point& b) {
    return a.prefix.size() > b.prefix.size();
  });
  merge_allow(h.server_allow());
}

void router::merge_allow(std::string_view methods) {
  for (std::string_view name : core::parse_list(methods).value_or(std::vector<std::string_view>{})) {
    // Method names are case-sensitive (RFC 9110 §9.1): compare them exactly.
    std::optional<std::vector<std::string_view>> known = core::parse_list(allow_);
    if (known && std::find(known->begin(), known->end(), name) != known->end()) continue;
    if (!allow_.empty()) allow_ += ", ";
    allow_ += name;
  }
}

handler& router::pick(std::string_view path) const {
  for (const mount_point& m : mounts_)
    if (beneath(path, m.prefix)) return *m.target;
  return fallback_;
}

content_decision router::prepare(const request& r) { return pick(r.head.path).prepare(r); }

response router::handle(request& r) { return pick(r.head.path).handle(r); }

}  // namespace herald::server
