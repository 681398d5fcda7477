#include "handlers/open_beneath.hpp"

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <vector>

namespace herald::handlers {

namespace {

constexpr int max_symlinks = 40;  // the kernel's MAXSYMLINKS

// Pushes the components of `path` so that the first comes out first. A trailing "/" adds
// ".", so that "file/" must name a directory, as for the kernel.
void push_components(std::vector<std::string>& pending, std::string_view path) {
  if (!path.empty() && path.back() == '/') pending.emplace_back(".");
  while (!path.empty()) {
    const std::size_t slash = path.rfind('/');
    const std::string_view last = slash == std::string_view::npos ? path : path.substr(slash + 1);
    if (!last.empty()) pending.emplace_back(last);
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(0, slash);
  }
}

int fail(int error) {
  errno = error;
  return -1;
}

// Reads a symlink's target; false with errno set otherwise (EINVAL: not a symlink).
bool read_link(int dir, const char* name, std::string& target) {
  char buffer[4096];
  const ssize_t n = ::readlinkat(dir, name, buffer, sizeof buffer);
  if (n < 0) return false;
  if (static_cast<std::size_t>(n) == sizeof buffer) {
    errno = ENAMETOOLONG;
    return false;
  }
  target.assign(buffer, static_cast<std::size_t>(n));
  return true;
}

int open_retrying(int dir, const char* name, int flags) {
  int fd;
  do {
    fd = ::openat(dir, name, flags);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

class directory_stack {
 public:
  explicit directory_stack(int root) : root_(root) {}
  ~directory_stack() {
    for (int fd : opened_) ::close(fd);
  }
  directory_stack(const directory_stack&) = delete;
  directory_stack& operator=(const directory_stack&) = delete;

  int top() const { return opened_.empty() ? root_ : opened_.back(); }
  bool at_root() const { return opened_.empty(); }
  void push(int fd) { opened_.push_back(fd); }
  void pop() {
    ::close(opened_.back());
    opened_.pop_back();
  }

 private:
  int root_;
  std::vector<int> opened_;
};

}  // namespace

int open_beneath_by_walk(int dir, const char* relative, int flags) {
  std::vector<std::string> pending;  // components still to resolve, the next one last
  const std::string_view path = relative;
  if (path.empty()) return fail(ENOENT);
  if (path.front() == '/') return fail(EXDEV);
  push_components(pending, path);
  if (pending.empty()) pending.emplace_back(".");
  directory_stack walked(dir);
  std::string target;
  int symlinks = 0;

  // The last component returns; a symlink adds components before the loop comes round again.
  while (true) {
    const std::string name = std::move(pending.back());
    pending.pop_back();
    const bool last = pending.empty();
    if (name == "..") {
      if (walked.at_root()) return fail(EXDEV);
      walked.pop();
      if (last) return open_retrying(walked.top(), ".", flags | O_CLOEXEC);
      continue;
    }
    if (name == "." && !last) continue;
    if (last) {
      const int fd = open_retrying(walked.top(), name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC);
      if (fd >= 0 || errno != ELOOP) return fd;
      // O_NOFOLLOW refuses a symlink with ELOOP: follow it by hand below.
    } else {
      const int fd = open_retrying(walked.top(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) return -1;
      struct stat st {};
      if (::fstat(fd, &st) != 0) {
        const int error = errno;
        ::close(fd);
        return fail(error);
      }
      if (S_ISDIR(st.st_mode)) {
        walked.push(fd);
        continue;
      }
      ::close(fd);
      if (!S_ISLNK(st.st_mode)) return fail(ENOTDIR);
    }
    if (!read_link(walked.top(), name.c_str(), target))
      return fail(errno == EINVAL ? ELOOP : errno);
    if (++symlinks > max_symlinks) return fail(ELOOP);
    if (target.empty()) return fail(ENOENT);
    if (target.front() == '/') return fail(EXDEV);  // RESOLVE_BENEATH: absolute leaves dir
    push_components(pending, target);  // a relative, non-empty target adds one at least
  }
}

namespace {

long call_openat2(int dir, const char* relative, int flags) {
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  long fd;
  do {
    fd = ::syscall(SYS_openat2, dir, relative, &how, sizeof how);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

// Whether openat2 is there to be used: a kernel without it answers ENOSYS, and a sandbox
// whose seccomp profile predates it (Docker before 20.10, systemd's SystemCallFilter) answers
// EPERM, even for the root itself, which nothing else refuses.
bool openat2_filtered(int dir, int error) {
  if (error == ENOSYS) return true;
  if (error != EPERM) return false;
  const long probe = call_openat2(dir, ".", O_RDONLY | O_DIRECTORY);
  if (probe >= 0) {
    ::close(static_cast<int>(probe));
    return false;
  }
  return errno == EPERM || errno == ENOSYS;
}

// RESOLVE_BENEATH answers EAGAIN when a rename or mount raced a "..": tried again a few times,
// then left to the walk, which holds every directory it passes open.
constexpr int raced_attempts = 3;

}  // namespace

int open_beneath(int dir, const char* relative, int flags) {
  // Once openat2 is known to be missing or filtered, it is not asked again.
  static std::atomic<bool> without_openat2{false};
  if (!without_openat2.load(std::memory_order_relaxed)) {
    for (int attempt = 0; attempt < raced_attempts; ++attempt) {
      const long fd = call_openat2(dir, relative, flags);
      if (fd >= 0) return static_cast<int>(fd);
      const int error = errno;
      if (error == EAGAIN) continue;
      if (!openat2_filtered(dir, error)) {
        errno = error;
        return -1;
      }
      without_openat2.store(true, std::memory_order_relaxed);
      break;
    }
  }
  return open_beneath_by_walk(dir, relative, flags);
}

}  // namespace herald::handlers
