#pragma once
// Several handlers on one server: each request goes to the handler mounted at the longest
// prefix of its path, or to the fallback. `herald serve --lab-prefix /lab` mounts the lab
// beside the static files this way.

#include <string>
#include <string_view>
#include <vector>

#include <herald/server/handler.hpp>

namespace herald::server {

class router final : public handler {
 public:
  // The handlers must outlive the router.
  explicit router(handler& fallback);

  // `prefix` matches its path and the paths beneath it as whole segments: "/lab" takes "/lab"
  // and "/lab/get", not "/labs". "/" takes every path.
  void mount(std::string prefix, handler& h);

  content_decision prepare(const request& r) override;
  response handle(request& r) override;
  // Every method some mounted handler supports (OPTIONS *, RFC 9110 §9.3.7).
  std::string_view server_allow() const override { return allow_; }

  // Whether `path` lies at or beneath `prefix`, segment by segment.
  static bool beneath(std::string_view path, std::string_view prefix);

 private:
  handler& pick(std::string_view path) const;
  void merge_allow(std::string_view methods);

  struct mount_point {
    std::string prefix;
    handler* target;
  };
  std::vector<mount_point> mounts_;  // longest prefix first
  handler& fallback_;
  std::string allow_;
};

}  // namespace herald::server
