// net::mailbox: tasks posted from other threads run on the thread that runs an io_context
// with no scheduler lock, in the order they were posted.

#include "net/mailbox.hpp"

#include <asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <gtest/gtest.h>
#include <thread>
#include <vector>

namespace herald::net {
namespace {

TEST(Mailbox, TasksFromOtherThreadsRunOnTheOwnerInOrder) {
  asio::io_context io(ASIO_CONCURRENCY_HINT_UNSAFE);
  mailbox mail(io);
  std::thread::id owner;
  std::vector<int> seen;  // touched only by the owner thread
  bool elsewhere = false;
  constexpr int per_thread = 500;
  std::thread runner([&] {
    owner = std::this_thread::get_id();
    io.run();
  });
  std::vector<std::thread> posters;
  for (int t = 0; t < 2; ++t) {
    posters.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i)
        mail.post([&, value = t * per_thread + i] {
          if (std::this_thread::get_id() != owner) elsewhere = true;
          seen.push_back(value);
        });
    });
  }
  for (auto& p : posters) p.join();
  mail.post([&] { io.stop(); });
  runner.join();

  EXPECT_FALSE(elsewhere);
  ASSERT_EQ(seen.size(), 2u * per_thread);
  // Each poster's tasks keep their order.
  int last[2] = {-1, -1};
  for (int value : seen) {
    const int t = value / per_thread;
    EXPECT_GT(value, last[t]);
    last[t] = value;
  }
}

TEST(Mailbox, ATaskPostedBeforeTheOwnerRunsWaitsForIt) {
  asio::io_context io(ASIO_CONCURRENCY_HINT_UNSAFE);
  mailbox mail(io);
  bool ran = false;
  mail.post([&] {
    ran = true;
    io.stop();
  });
  EXPECT_FALSE(ran);
  io.run();
  EXPECT_TRUE(ran);
}

TEST(Mailbox, ATaskMayPostAnother) {
  asio::io_context io(ASIO_CONCURRENCY_HINT_UNSAFE);
  mailbox mail(io);
  std::vector<int> order;
  mail.post([&] {
    order.push_back(1);
    mail.post([&] {
      order.push_back(3);
      io.stop();
    });
    order.push_back(2);
  });
  io.run();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(Mailbox, KeepsTheOwnerRunningWhileIdle) {
  // The pending wait on the bell is work: io.run() does not return while nothing is posted,
  // so a worker with no connections still hears a later stop.
  asio::io_context io(ASIO_CONCURRENCY_HINT_UNSAFE);
  mailbox mail(io);
  std::atomic<bool> returned{false};
  std::thread runner([&] {
    io.run();
    returned = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(returned);
  mail.post([&] { io.stop(); });
  runner.join();
  EXPECT_TRUE(returned);
}

}  // namespace
}  // namespace herald::net
