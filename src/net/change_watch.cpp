#include "net/change_watch.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <linux/magic.h>
#include <sys/inotify.h>
#include <system_error>
#include <unistd.h>

namespace herald::net {

namespace {

int open_inotify() {
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "inotify_init1");
  return fd;
}

// Everything that can change what a path beneath the directory names or holds. Reads and
// opens are left out: they change nothing, and a busy docroot would report one per request.
constexpr std::uint32_t change_mask = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_CREATE |
                                      IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF |
                                      IN_MOVE_SELF;

}  // namespace

change_watch::change_watch(asio::io_context& io, callback changed)
    : events_(io, open_inotify()), changed_(std::move(changed)) {
  listen();
}

int change_watch::watch_directory(const char* path) {
  return ::inotify_add_watch(events_.native_handle(), path,
                             change_mask | IN_ONLYDIR | IN_DONT_FOLLOW);
}

void change_watch::unwatch(int watch) {
  ::inotify_rm_watch(events_.native_handle(), watch);
}

void change_watch::listen() {
  events_.async_wait(asio::posix::stream_descriptor::wait_read, [this](const asio::error_code& ec) {
    if (ec) return;  // closed: the worker is going away
    drain();
    // A completion handler throws nothing: that would end the worker's event loop.
    try {
      listen();
    } catch (const std::exception&) {
      working_ = false;
      changed_(lost, {});
    }
  });
}

void change_watch::drain() {
  alignas(inotify_event) std::array<char, 16384> buffer;
  for (;;) {
    const ssize_t got = ::read(events_.native_handle(), buffer.data(), buffer.size());
    if (got <= 0) return;  // EAGAIN: every event taken
    for (ssize_t at = 0; at < got;) {
      inotify_event event;
      std::memcpy(&event, buffer.data() + at, sizeof event);
      const char* name = buffer.data() + at + sizeof event;
      at += static_cast<ssize_t>(sizeof event + event.len);
      if (event.mask & IN_Q_OVERFLOW) {
        changed_(lost, {});
        continue;
      }
      // The kernel pads the name with NULs to event.len.
      changed_(event.wd, event.len != 0 ? std::string_view(name, ::strnlen(name, event.len))
                                        : std::string_view{});
    }
  }
}

bool inotify_sees_every_change(const struct statfs& fs) {
  switch (static_cast<unsigned long>(fs.f_type)) {
    case EXT4_SUPER_MAGIC:  // ext2, ext3 and ext4 share it
    case XFS_SUPER_MAGIC:
    case BTRFS_SUPER_MAGIC:
    case F2FS_SUPER_MAGIC:
    case TMPFS_MAGIC:
    case RAMFS_MAGIC:
    case OVERLAYFS_SUPER_MAGIC:  // a container's image: its lower layers do not change
      return true;
    default:
      return false;
  }
}

}  // namespace herald::net
