#include "server/idle_parking.hpp"

#include <array>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <exception>
#include <malloc.h>
#include <sys/epoll.h>
#include <unistd.h>

// jemalloc's control interface, present when the executable links jemalloc (the release
// build does; sanitizer builds keep glibc's allocator, which the sanitizers replace).
extern "C" int mallctl(const char* name, void* oldp, std::size_t* oldlenp, void* newp,
                       std::size_t newlen) __attribute__((weak));

namespace herald::server {

namespace {

constexpr auto nothrow = asio::experimental::as_tuple(asio::use_awaitable);

// Parking many connections frees their frames and buffers into the allocator, which keeps
// the pages; a second after a burst, the worker hands them back to the kernel. A few parked
// connections are not worth the walk over the heap.
constexpr std::chrono::seconds trim_delay{1};
constexpr std::size_t trim_threshold = 256;

void return_free_pages_to_kernel() {
  if (mallctl != nullptr) {
    // "arena.<MALLCTL_ARENAS_ALL>.purge": every arena's unused dirty pages, at once rather
    // than after jemalloc's decay time.
    mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);
    return;
  }
  ::malloc_trim(0);
}

}  // namespace

idle_parking::idle_parking(asio::io_context& io, wake_handler wake)
    : wake_(std::move(wake)),
      epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)),
      readiness_(io),
      expiry_timer_(io, clock::time_point::max()),
      trim_timer_(io) {
  if (epoll_fd_ < 0) return;  // park() then refuses, and connections simply stay as they are
  readiness_.assign(epoll_fd_);
  asio::co_spawn(io, watch(), asio::detached);
  asio::co_spawn(io, expire(), asio::detached);
}

idle_parking::~idle_parking() {
  close_all();
  stopped_ = true;
}

bool idle_parking::park(const parked& what, clock::time_point idle_until) {
  if (epoll_fd_ < 0 || stopped_ || what.fd < 0) {
    if (what.fd >= 0) ::close(what.fd);
    return false;
  }
  const auto index = static_cast<std::size_t>(what.fd);
  const bool was_empty = expiries_.empty();
  try {
    // What may fail to allocate comes before the descriptor is watched: a failure then has
    // only the descriptor to close, which the caller gave up.
    if (slots_.size() <= index) slots_.resize(index + 1);
    expiries_.push_back({idle_until, what.fd, slots_[index].generation + 1});
  } catch (...) {
    ::close(what.fd);
    throw;
  }
  // Readable covers a new request and an orderly close; RDHUP and HUP need no asking.
  epoll_event event{};
  event.events = EPOLLIN | EPOLLRDHUP;
  event.data.fd = what.fd;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, what.fd, &event) != 0) {
    expiries_.pop_back();
    ::close(what.fd);
    return false;
  }
  slot& s = slots_[index];
  s.in_use = true;
  s.v6 = what.v6;
  s.requests_served = what.requests_served;
  ++s.generation;
  if (was_empty) expiry_timer_.cancel();
  ++count_;
  if (++parked_since_trim_ >= trim_threshold && !trim_pending_) {
    trim_pending_ = true;
    asio::co_spawn(trim_timer_.get_executor(), trim_later(), asio::detached);
  }
  return true;
}

void idle_parking::release(int fd) {
  slot& s = slots_[static_cast<std::size_t>(fd)];
  s.in_use = false;
  ++s.generation;  // its entry in expiries_ no longer matches
  --count_;
}

void idle_parking::close_all() {
  for (std::size_t fd = 0; fd < slots_.size(); ++fd) {
    if (!slots_[fd].in_use) continue;
    release(static_cast<int>(fd));
    ::close(static_cast<int>(fd));  // closing also leaves the epoll set
  }
  expiries_.clear();
}

asio::awaitable<void> idle_parking::watch() {
  std::array<epoll_event, 64> ready;
  while (!stopped_) {
    auto [ec] = co_await readiness_.async_wait(asio::posix::stream_descriptor::wait_read, nothrow);
    if (ec || stopped_) co_return;
    const int n = ::epoll_wait(epoll_fd_, ready.data(), static_cast<int>(ready.size()), 0);
    for (int i = 0; i < n; ++i) {
      const int fd = ready[static_cast<std::size_t>(i)].data.fd;
      // Level-triggered: whatever is reported leaves the set, or it would be reported for
      // ever (a descriptor closed here whose file lives on in a forked child, say).
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
      const slot& s = slots_[static_cast<std::size_t>(fd)];
      if (!s.in_use) continue;
      const parked woken{fd, s.v6, s.requests_served};
      release(fd);
      wake_(woken);
    }
  }
}

asio::awaitable<void> idle_parking::expire() {
  while (!stopped_) {
    expiry_timer_.expires_at(expiries_.empty() ? clock::time_point::max() : expiries_.front().at);
    co_await expiry_timer_.async_wait(nothrow);
    if (stopped_) co_return;
    // The clock the timer fired by: the coarse clock may lag it by a tick, and the loop would
    // spin until it caught up.
    const auto now = clock::now();
    while (!expiries_.empty() && expiries_.front().at <= now) {
      const expiry e = expiries_.front();
      expiries_.pop_front();
      const slot& s = slots_[static_cast<std::size_t>(e.fd)];
      if (!s.in_use || s.generation != e.generation) continue;
      release(e.fd);
      ::close(e.fd);
    }
  }
}

asio::awaitable<void> idle_parking::trim_later() {
  trim_timer_.expires_after(trim_delay);
  co_await trim_timer_.async_wait(nothrow);
  trim_pending_ = false;
  if (stopped_) co_return;
  parked_since_trim_ = 0;
  return_free_pages_to_kernel();
}

}  // namespace herald::server
