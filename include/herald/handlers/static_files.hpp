#pragma once
// A file server for `herald serve`: GET and HEAD of the files under a root, OPTIONS, and 405
// with Allow for the other methods. Paths are mapped with core::map_safe_path, so nothing
// outside the root is reachable; dotfiles and symlinks that leave the root are refused (the
// kernel resolves every path beneath the root: openat2 with RESOLVE_BENEATH).
// (Conditional requests, ranges and negotiation arrive with the resource decision engine.)

#include <filesystem>
#include <string>

#include <herald/server/handler.hpp>

namespace herald::handlers {

struct static_options {
  std::filesystem::path root = ".";
  std::string index = "index.html";
  bool show_hidden = false;
};

class static_files : public server::handler {
 public:
  // Throws std::system_error when the root cannot be opened.
  explicit static_files(static_options options);
  ~static_files() override;
  static_files(const static_files&) = delete;
  static_files& operator=(const static_files&) = delete;

  server::content_decision prepare(const server::request& r) override;
  server::response handle(server::request& r) override;

 private:
  static_options options_;
  int root_fd_ = -1;
};

// The media type for a file name, from its extension; application/octet-stream if unknown.
std::string_view media_type_for(std::string_view file_name);

}  // namespace herald::handlers
