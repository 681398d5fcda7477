#include "net/mailbox.hpp"

#include <cerrno>
#include <cstdint>
#include <sys/eventfd.h>
#include <system_error>
#include <unistd.h>

namespace herald::net {

namespace {

int open_eventfd() {
  int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
  return fd;
}

}  // namespace

mailbox::mailbox(asio::io_context& io) : bell_(io, open_eventfd()) {
  listen();
}

void mailbox::post(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    tasks_.push_back(std::move(task));
  }
  // A full counter (EAGAIN) still leaves the descriptor readable, so the bell is never lost.
  const std::uint64_t one = 1;
  [[maybe_unused]] ssize_t written = ::write(bell_.native_handle(), &one, sizeof one);
}

void mailbox::listen() {
  bell_.async_wait(asio::posix::stream_descriptor::wait_read, [this](const asio::error_code& ec) {
    if (ec) return;  // the descriptor was closed: the worker is going away
    // Listening again first: a task that throws then leaves the mailbox working.
    listen();
    deliver();
  });
}

void mailbox::deliver() {
  // Reset the counter before taking the queue: a task posted after the swap rings again.
  std::uint64_t count = 0;
  [[maybe_unused]] ssize_t got = ::read(bell_.native_handle(), &count, sizeof count);
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(tasks_);
  }
  for (auto& task : batch) task();
}

}  // namespace herald::net
