#pragma once
// What changes in watched directories, as inotify(7) reports it, handed to a callback on the
// thread that runs the io_context, from that thread's own event loop: a cache on a worker can
// then trust what it holds until told otherwise, with no system call per use.

#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <functional>
#include <string_view>
#include <sys/vfs.h>

namespace herald::net {

class change_watch {
 public:
  // The watch that inotify lost events of (IN_Q_OVERFLOW): anything may have changed.
  static constexpr int lost = -1;
  // `changed(watch, name)`: something happened to the entry `name` of the directory `watch`
  // (created, removed, renamed, written, its attributes changed), or, with an empty name,
  // to the directory itself (removed or renamed: the watch then ends).
  using callback = std::function<void(int watch, std::string_view name)>;

  // Throws std::system_error when the kernel gives no inotify instance (the user's
  // max_user_instances). Must be destroyed before `io`.
  change_watch(asio::io_context& io, callback changed);
  change_watch(const change_watch&) = delete;
  change_watch& operator=(const change_watch&) = delete;

  // Watches the directory at `path`, whose last component must not be a symbolic link, and
  // returns the watch (the same one for the same directory), or -1 with errno set (ENOTDIR for
  // a symbolic link or a file, ENOSPC past max_user_watches).
  int watch_directory(const char* path);
  void unwatch(int watch);
  // false once the watch could not wait for more events (no memory): it was told `lost`, and
  // reports nothing more.
  bool working() const { return working_; }

 private:
  void listen();
  void drain();

  asio::posix::stream_descriptor events_;
  callback changed_;
  bool working_ = true;
};

// Whether every change to the file system passes through this kernel, so that inotify reports
// it: not so for NFS, CIFS, FUSE and the like, whose files another machine or process can
// change behind the kernel's back.
bool inotify_sees_every_change(const struct statfs& fs);

}  // namespace herald::net
