#pragma once
// Where a worker keeps keep-alive connections that have been idle for a while.
//
// A connection waiting for its next request holds its coroutine frames, its timer, its read
// buffer and Asio's per-socket state: several kilobytes, for a client that may not come back
// for a minute. nginx frees an idle connection's buffers; herald goes further after a short
// wait (park_after) and keeps only the descriptor, in an epoll set of its own, and a few
// octets of bookkeeping. When the client speaks again (or closes), the worker builds a fresh
// connection around the descriptor; when the idle timeout passes first, the descriptor is
// closed, as an unparked connection would have been.
//
// The wait before parking keeps the cost off busy connections: parking and waking take four
// epoll_ctl calls and a new connection object, a few microseconds, nothing next to a tenth of
// a second of idleness, far too much between the requests of a busy client. It is short
// because Asio keeps the per-socket state of every connection open at once in its pool for
// good: a connection parked sooner shares the states of those that came before it, so a burst
// of clients that go quiet pins fewer of them.

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

namespace herald::server {

class idle_parking {
 public:
  using clock = std::chrono::steady_clock;
  // How long a keep-alive connection waits for its next request before it is parked.
  static constexpr std::chrono::milliseconds park_after{100};

  struct parked {
    int fd = -1;
    bool v6 = false;
    std::size_t requests_served = 0;
  };
  // Called on the worker's thread with a descriptor that became readable (or hung up); it
  // owns the descriptor from then on, and throws nothing: whatever fails, it closes the
  // descriptor itself, once.
  using wake_handler = std::function<void(const parked&)>;

  idle_parking(asio::io_context& io, wake_handler wake);
  ~idle_parking();
  idle_parking(const idle_parking&) = delete;
  idle_parking& operator=(const idle_parking&) = delete;

  // Takes `what.fd`, to be woken when readable or closed at `idle_until`. False (the
  // descriptor closed) when the kernel refuses to watch it; out of memory, it throws, with the
  // descriptor closed as well.
  bool park(const parked& what, clock::time_point idle_until);
  // Closes every parked connection (a drain: they are idle, so nothing is lost).
  void close_all();
  std::size_t size() const { return count_; }
  // False when the kernel gave no epoll set: connections are then never parked.
  bool available() const { return epoll_fd_ >= 0; }

 private:
  struct slot {
    std::uint32_t generation = 0;
    bool in_use = false;
    bool v6 = false;
    std::size_t requests_served = 0;
  };
  struct expiry {
    clock::time_point at;
    int fd;
    std::uint32_t generation;
  };

  asio::awaitable<void> watch();
  asio::awaitable<void> expire();
  asio::awaitable<void> trim_later();
  void release(int fd);

  wake_handler wake_;
  int epoll_fd_ = -1;
  asio::posix::stream_descriptor readiness_;
  asio::steady_timer expiry_timer_;
  asio::steady_timer trim_timer_;
  std::vector<slot> slots_;      // indexed by descriptor
  std::deque<expiry> expiries_;  // in parking order, so nearly in deadline order
  std::size_t count_ = 0;
  std::size_t parked_since_trim_ = 0;
  bool trim_pending_ = false;
  bool stopped_ = false;
};

}  // namespace herald::server
