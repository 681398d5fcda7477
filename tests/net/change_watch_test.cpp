// net::change_watch: inotify's reports of what changes in watched directories, delivered on
// the thread that runs the io_context.

#include "net/change_watch.hpp"

#include <algorithm>
#include <asio/steady_timer.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <gtest/gtest.h>
#include <string>
#include <utility>
#include <vector>

#include "support/raw_client.hpp"

namespace herald::net {
namespace {

using namespace std::chrono_literals;

class ChangeWatch : public testing::Test {
 protected:
  // Runs the loop until `count` reports have come, or a second has passed.
  void run_for(std::size_t count) {
    asio::steady_timer deadline(io_, 1s);
    deadline.async_wait([this](const asio::error_code&) { io_.stop(); });
    while (seen_.size() < count && !io_.stopped()) io_.run_one();
    io_.restart();
  }
  std::string path(const std::string& relative) const { return (dir_.path() / relative).string(); }

  test::temp_dir dir_;
  asio::io_context io_;
  std::vector<std::pair<int, std::string>> seen_;
  change_watch watch_{io_, [this](int watch, std::string_view name) {
                        seen_.emplace_back(watch, std::string(name));
                      }};
};

TEST_F(ChangeWatch, ReportsTheNameOfWhatChangedInTheDirectory) {
  dir_.write("a/x.txt", "one");
  const int a = watch_.watch_directory(path("a").c_str());
  ASSERT_GE(a, 0);
  EXPECT_EQ(watch_.watch_directory(path("a").c_str()), a) << "one watch for one directory";
  dir_.write("a/x.txt", "two");
  run_for(1);
  ASSERT_FALSE(seen_.empty());
  EXPECT_EQ(seen_.front(), std::make_pair(a, std::string("x.txt")));
}

TEST_F(ChangeWatch, ReportsARenamedDirectoryToItsParentAndItself) {
  dir_.write("a/b/x.txt", "one");
  const int a = watch_.watch_directory(path("a").c_str());
  const int b = watch_.watch_directory(path("a/b").c_str());
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  std::filesystem::rename(path("a/b"), path("a/c"));
  run_for(2);
  EXPECT_NE(std::find(seen_.begin(), seen_.end(), std::make_pair(a, std::string("b"))),
            seen_.end());
  EXPECT_NE(std::find(seen_.begin(), seen_.end(), std::make_pair(b, std::string())), seen_.end());
}

TEST_F(ChangeWatch, ReadsAndOpensAreNotChanges) {
  dir_.write("a/x.txt", "one");
  ASSERT_GE(watch_.watch_directory(path("a").c_str()), 0);
  for (int i = 0; i < 3; ++i) {
    std::FILE* f = std::fopen(path("a/x.txt").c_str(), "r");
    ASSERT_NE(f, nullptr);
    char c;
    EXPECT_EQ(std::fread(&c, 1, 1, f), 1u);
    std::fclose(f);
  }
  run_for(1);
  EXPECT_TRUE(seen_.empty());
}

// A symbolic link would be watched where it leads, so changes on the way to it would go
// unreported: the caller must look at such a path some other way.
TEST_F(ChangeWatch, RefusesASymbolicLinkAndAFile) {
  dir_.write("a/x.txt", "one");
  std::filesystem::create_directory_symlink(path("a"), path("link"));
  EXPECT_EQ(watch_.watch_directory(path("link").c_str()), -1);
  EXPECT_EQ(errno, ENOTDIR);
  EXPECT_EQ(watch_.watch_directory(path("a/x.txt").c_str()), -1);
  EXPECT_EQ(errno, ENOTDIR);
}

TEST_F(ChangeWatch, AnEndedWatchReportsNothingMore) {
  dir_.write("a/x.txt", "one");
  const int a = watch_.watch_directory(path("a").c_str());
  ASSERT_GE(a, 0);
  watch_.unwatch(a);
  run_for(1);  // the kernel's IN_IGNORED for the ended watch
  seen_.clear();
  dir_.write("a/x.txt", "two");
  run_for(1);
  EXPECT_TRUE(seen_.empty());
}

}  // namespace
}  // namespace herald::net
