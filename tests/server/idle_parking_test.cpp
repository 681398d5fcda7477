// Tests of the parking lot for idle keep-alive connections (src/server/idle_parking.cpp),
// over socket pairs: a parked descriptor is handed back when its peer writes or hangs up,
// closed when its idle time ends, and closed by a drain.

#include "server/idle_parking.hpp"

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace herald::server {
namespace {

using namespace std::chrono_literals;

struct socket_pair {
  socket_pair() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0); }
  ~socket_pair() {
    if (fds[1] >= 0) ::close(fds[1]);
  }
  int server_side() const { return fds[0]; }
  int client_side() const { return fds[1]; }
  int fds[2] = {-1, -1};
};

bool is_open(int fd) {
  return ::fcntl(fd, F_GETFD) != -1;
}

// The client end sees the server end closed: a read returns 0 at once.
bool peer_closed(int client_fd) {
  char octet;
  return ::recv(client_fd, &octet, 1, MSG_DONTWAIT) == 0;
}

class IdleParking : public testing::Test {
 protected:
  // Runs the loop until `done` or the time limit.
  template <typename Done>
  void run_until(Done done, std::chrono::milliseconds limit = 2s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < end) {
      io_.restart();
      io_.run_for(10ms);
    }
  }

  asio::io_context io_{1};
  std::vector<idle_parking::parked> woken_;
  idle_parking parking_{io_, [this](const idle_parking::parked& p) { woken_.push_back(p); }};
};

TEST_F(IdleParking, ARequestWakesTheConnectionWithItsState) {
  socket_pair pair;
  ASSERT_TRUE(parking_.park({pair.server_side(), true, 7}, idle_parking::clock::now() + 10s));
  EXPECT_EQ(parking_.size(), 1u);
  run_until([] { return false; }, 50ms);
  EXPECT_TRUE(woken_.empty()) << "woken with nothing to read";

  ASSERT_EQ(::send(pair.client_side(), "GET", 3, 0), 3);
  run_until([&] { return !woken_.empty(); });
  ASSERT_EQ(woken_.size(), 1u);
  EXPECT_EQ(woken_[0].fd, pair.server_side());
  EXPECT_TRUE(woken_[0].v6);
  EXPECT_EQ(woken_[0].requests_served, 7u);
  EXPECT_EQ(parking_.size(), 0u);
  EXPECT_TRUE(is_open(pair.server_side())) << "the woken descriptor belongs to the handler";
  char got[3];
  EXPECT_EQ(::recv(pair.server_side(), got, 3, MSG_DONTWAIT), 3) << "the request was not read";
  ::close(pair.server_side());
}

TEST_F(IdleParking, AClientThatHangsUpWakesTheConnectionToo) {
  socket_pair pair;
  ASSERT_TRUE(parking_.park({pair.server_side(), false, 1}, idle_parking::clock::now() + 10s));
  ::close(pair.fds[1]);
  pair.fds[1] = -1;
  run_until([&] { return !woken_.empty(); });
  ASSERT_EQ(woken_.size(), 1u);
  EXPECT_EQ(woken_[0].fd, pair.server_side());
  ::close(pair.server_side());
}

TEST_F(IdleParking, TheIdleTimeoutClosesAParkedConnection) {
  socket_pair pair;
  const auto parked_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(parking_.park({pair.server_side(), false, 1}, idle_parking::clock::now() + 300ms));
  run_until([&] { return parking_.size() == 0; });
  EXPECT_GE(std::chrono::steady_clock::now() - parked_at, 250ms);
  EXPECT_EQ(parking_.size(), 0u);
  EXPECT_TRUE(woken_.empty());
  EXPECT_TRUE(peer_closed(pair.client_side()));
}

TEST_F(IdleParking, AWokenConnectionIsNotClosedByItsOldDeadline) {
  socket_pair pair;
  ASSERT_TRUE(parking_.park({pair.server_side(), false, 1}, idle_parking::clock::now() + 200ms));
  ASSERT_EQ(::send(pair.client_side(), "G", 1, 0), 1);
  run_until([&] { return !woken_.empty(); });
  ASSERT_EQ(woken_.size(), 1u);
  run_until([] { return false; }, 400ms);
  EXPECT_TRUE(is_open(pair.server_side()));
  ::close(pair.server_side());
}

TEST_F(IdleParking, ADescriptorParkedAgainKeepsOnlyItsNewDeadline) {
  socket_pair pair;
  ASSERT_TRUE(parking_.park({pair.server_side(), false, 1}, idle_parking::clock::now() + 200ms));
  ASSERT_EQ(::send(pair.client_side(), "G", 1, 0), 1);
  run_until([&] { return !woken_.empty(); });
  char octet;
  ASSERT_EQ(::recv(pair.server_side(), &octet, 1, 0), 1);
  ASSERT_TRUE(parking_.park({pair.server_side(), false, 2}, idle_parking::clock::now() + 10s));
  run_until([] { return false; }, 400ms);
  EXPECT_EQ(parking_.size(), 1u) << "closed by the deadline of its first parking";
  EXPECT_FALSE(peer_closed(pair.client_side()));
}

TEST_F(IdleParking, CloseAllClosesEveryParkedConnection) {
  socket_pair a;
  socket_pair b;
  ASSERT_TRUE(parking_.park({a.server_side(), false, 1}, idle_parking::clock::now() + 10s));
  ASSERT_TRUE(parking_.park({b.server_side(), false, 1}, idle_parking::clock::now() + 10s));
  EXPECT_EQ(parking_.size(), 2u);
  parking_.close_all();
  EXPECT_EQ(parking_.size(), 0u);
  EXPECT_TRUE(peer_closed(a.client_side()));
  EXPECT_TRUE(peer_closed(b.client_side()));
  run_until([] { return false; }, 50ms);
  EXPECT_TRUE(woken_.empty());
}

TEST_F(IdleParking, ADescriptorTheKernelCannotWatchIsClosedAndRefused) {
  // A directory cannot join an epoll set.
  const int file = ::open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(file, 0);
  EXPECT_FALSE(parking_.park({file, false, 1}, idle_parking::clock::now() + 10s));
  EXPECT_FALSE(is_open(file));
  EXPECT_EQ(parking_.size(), 0u);
  // The refusal left no deadline behind: the next connection parked keeps its own.
  socket_pair pair;
  ASSERT_TRUE(parking_.park({pair.server_side(), false, 1}, idle_parking::clock::now() + 50ms));
  run_until([&] { return parking_.size() == 0; });
  EXPECT_TRUE(peer_closed(pair.client_side()));
}

}  // namespace
}  // namespace herald::server
