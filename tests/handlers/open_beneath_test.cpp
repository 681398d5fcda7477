// The hand-made RESOLVE_BENEATH walk (src/handlers/open_beneath.cpp), used where the kernel
// has no openat2, against openat2 itself on a tree of files, directories and symlinks that
// stay inside, leave, dangle and loop: for every path, both open the same file or both fail
// with the same errno.

#include "handlers/open_beneath.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace herald::handlers {
namespace {

namespace fs = std::filesystem;

struct outcome {
  int error = 0;  // 0: opened
  dev_t device = 0;
  ino_t inode = 0;
  bool operator==(const outcome&) const = default;
};

std::ostream& operator<<(std::ostream& os, const outcome& o) {
  if (o.error != 0) return os << "errno " << o.error << " (" << std::strerror(o.error) << ")";
  return os << "inode " << o.inode;
}

outcome result_of(int fd) {
  if (fd < 0) return {errno, 0, 0};
  struct stat st {};
  EXPECT_EQ(::fstat(fd, &st), 0);
  ::close(fd);
  return {0, st.st_dev, st.st_ino};
}

class OpenBeneath : public testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/herald-beneath-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    base_ = pattern;
    const fs::path root = base_ / "root";
    fs::create_directories(root / "dir" / "sub");
    std::ofstream(base_ / "outside.txt") << "outside";
    std::ofstream(root / "file.txt") << "file";
    std::ofstream(root / "dir" / "inner.txt") << "inner";
    fs::create_symlink("file.txt", root / "link_in");
    fs::create_symlink("dir", root / "link_dir");
    fs::create_symlink("../outside.txt", root / "link_up");
    fs::create_symlink(base_ / "outside.txt", root / "link_abs");
    fs::create_symlink("../file.txt", root / "dir" / "link_back");
    fs::create_symlink("../../outside.txt", root / "dir" / "link_escape");
    fs::create_symlink("loop_b", root / "loop_a");
    fs::create_symlink("loop_a", root / "loop_b");
    fs::create_symlink("link_in", root / "chain");
    fs::create_symlink("..", root / "link_dotdot");
    fs::create_symlink(".", root / "dir" / "link_self");
    fs::create_symlink("missing", root / "dangling");
    fs::create_symlink("dir/", root / "link_dir_slash");
    fs::create_symlink("sub/../inner.txt", root / "dir" / "link_winding");
    root_fd_ = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(root_fd_, 0);
  }
  void TearDown() override {
    if (root_fd_ >= 0) ::close(root_fd_);
    std::error_code ec;
    fs::remove_all(base_, ec);
  }

  fs::path base_;
  int root_fd_ = -1;
};

TEST_F(OpenBeneath, TheWalkAgreesWithOpenat2OnEveryPath) {
  const char* const paths[] = {
      "file.txt",
      "dir/inner.txt",
      "dir/../file.txt",
      "../outside.txt",
      "dir/../../outside.txt",
      "link_in",
      "link_dir/inner.txt",
      "link_up",
      "link_abs",
      "dir/link_back",
      "dir/link_escape",
      "loop_a",
      "chain",
      "link_dotdot",
      "link_dotdot/root/file.txt",
      "dir/link_self/inner.txt",
      "dangling",
      "missing",
      "file.txt/",
      "dir/",
      ".",
      "dir/sub/..",
      "file.txt/x",
      "/etc/hostname",
      "",
      "link_dir/",
      "dir/./inner.txt",
      "dir//inner.txt",
      "link_dir_slash",
      "link_dir_slash/inner.txt",
      "dir/link_winding",
      "..",
      "dir/sub/../../file.txt",
      "dir/link_self/link_back",
      "link_dir/link_escape",
      "dir/sub/../..",
  };
  for (const char* path : paths) {
    const int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY;
    const outcome kernel = result_of(open_beneath(root_fd_, path, flags));
    const outcome walk = result_of(open_beneath_by_walk(root_fd_, path, flags));
    EXPECT_EQ(walk, kernel) << "path \"" << path << "\"";
  }
}

TEST_F(OpenBeneath, TheWalkFollowsSymlinksThatStayInside) {
  for (const char* path : {"file.txt", "link_in", "chain", "link_dir/inner.txt", "dir/link_back",
                           "dir/link_self/inner.txt", "dir/link_winding",
                           "link_dir_slash/inner.txt", "dir/", "."}) {
    const int fd = open_beneath_by_walk(root_fd_, path, O_RDONLY);
    EXPECT_GE(fd, 0) << path << ": " << std::strerror(errno);
    if (fd >= 0) ::close(fd);
  }
}

TEST_F(OpenBeneath, TheWalkNeverLeavesTheRoot) {
  for (const char* path : {"../outside.txt", "link_up", "link_abs", "dir/link_escape",
                           "link_dotdot/outside.txt", "dir/../../outside.txt"}) {
    const int fd = open_beneath_by_walk(root_fd_, path, O_RDONLY);
    EXPECT_LT(fd, 0) << path;
    EXPECT_EQ(errno, EXDEV) << path;
    if (fd >= 0) ::close(fd);
  }
}

TEST_F(OpenBeneath, TheWalkLeavesNoDescriptorOpen) {
  const auto count = [] {
    return std::distance(fs::directory_iterator("/proc/self/fd"), fs::directory_iterator{});
  };
  const auto before = count();
  for (int i = 0; i < 20; ++i) {
    for (const char* path : {"dir/sub/../inner.txt", "link_dir/link_escape", "loop_a", "dir/"}) {
      const int fd = open_beneath_by_walk(root_fd_, path, O_RDONLY);
      if (fd >= 0) ::close(fd);
    }
  }
  EXPECT_EQ(count(), before);
}

}  // namespace
}  // namespace herald::handlers
