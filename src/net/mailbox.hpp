#pragma once
// Work handed to one worker's thread from other threads. A worker's io_context runs without
// the scheduler's lock (ASIO_CONCURRENCY_HINT_UNSAFE: about 300 instructions a request less),
// so no other thread may post to it, stop it or touch its sockets; they post here instead: a
// queue under a mutex of its own, and an eventfd the worker's reactor watches.

#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <functional>
#include <mutex>
#include <vector>

namespace herald::net {

class mailbox {
 public:
  // Tasks run on the thread that runs `io`. Throws std::system_error if the kernel gives no
  // eventfd. Must be destroyed before `io`.
  explicit mailbox(asio::io_context& io);
  mailbox(const mailbox&) = delete;
  mailbox& operator=(const mailbox&) = delete;

  // Any thread. `task` runs on io's thread, after the tasks posted before it; never if io
  // has stopped for good.
  void post(std::function<void()> task);

 private:
  void listen();
  void deliver();

  asio::posix::stream_descriptor bell_;
  std::mutex mutex_;
  std::vector<std::function<void()>> tasks_;  // guarded by mutex_
};

}  // namespace herald::net
