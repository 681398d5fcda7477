// A real browser against `herald serve`'s file handling (issue 5): headless Chromium, from
// Debian's package, loads a page twice with one profile. The first load must fetch the video
// with a range request and get 206; the second must revalidate the `no-cache` stylesheet and
// get 304. What the browser asked for is read from the server's access log.

#include <filesystem>
#include <gtest/gtest.h>
#include <string>
#include <vector>

#include <herald/handlers/static_files.hpp>
#include <herald/server/resource_handler.hpp>

#include "support/raw_client.hpp"

namespace herald::handlers {
namespace {

constexpr const char* chromium = "/usr/bin/chromium";

// The status the access log recorded for `path` in the `nth` request for it (0-based), or 0.
int logged_status(const std::vector<std::string>& lines, const std::string& path, int nth) {
  const std::string request = "\"GET " + path + " HTTP/1.1\" ";
  for (const std::string& line : lines) {
    auto at = line.find(request);
    if (at == std::string::npos) continue;
    if (nth-- == 0) return std::stoi(line.substr(at + request.size(), 3));
  }
  return 0;
}

TEST(Chromium, FetchesVideoByRangeAndRevalidatesWith304) {
  ASSERT_TRUE(std::filesystem::exists(chromium)) << "scripts/install-deps installs chromium";
  test::temp_dir dir;
  auto write = [&](const char* name, const std::string& text) {
    dir.write(std::string("site/") + name, text);
  };
  write(
      "index.html",
      "<!DOCTYPE html><html><head><link rel=\"stylesheet\" href=\"style.css\"></head>"
      "<body><p>herald</p><video src=\"clip.webm\" preload=\"auto\" muted></video></body></html>");
  write("style.css", "p { color: teal; }\n");
  write("clip.webm", std::string(200000, '\x1a'));

  static_options files_options;
  files_options.root = dir.path() / "site";
  files_options.cache_rules = {*parse_cache_rule("*.css=no-cache")};
  static_files files(files_options);
  server::resource_handler handler(files, {});
  server::options o = test::test_options();
  o.access_log = true;
  o.access_log_path = (dir.path() / "access.log").string();
  test::running_server server(o, handler);

  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
  const std::string command =
      std::string("timeout 60 ") + chromium +
      " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
      " --disable-background-networking --disable-component-update --disable-sync"
      " --user-data-dir=" +
      (dir.path() / "profile").string() + " --virtual-time-budget=3000 --dump-dom " + url +
      " 2>/dev/null";
  for (int load = 0; load < 2; ++load) {
    test::command_result r = test::run_command(command);
    ASSERT_EQ(r.status, 0) << "chromium failed";
    ASSERT_NE(r.out.find("herald"), std::string::npos) << r.out;
  }
  std::vector<std::string> lines =
      test::wait_for_lines(dir.path() / "access.log", 6, std::chrono::seconds(5));

  EXPECT_EQ(logged_status(lines, "/", 0), 200);
  EXPECT_EQ(logged_status(lines, "/style.css", 0), 200);
  // A media element asks for bytes=0- and expects 206 (RFC 9110 §14.2).
  EXPECT_EQ(logged_status(lines, "/clip.webm", 0), 206);
  // no-cache makes the browser revalidate: If-None-Match with the ETag, answered 304.
  EXPECT_EQ(logged_status(lines, "/style.css", 1), 304);
}

}  // namespace
}  // namespace herald::handlers
