// net::make_listener: the listening socket each worker accepts from.

#include "net/listener.hpp"

#include <asio/write.hpp>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string_view>
#include <sys/socket.h>
#include <unistd.h>

namespace herald::net {
namespace {

class Listener : public testing::Test {
 protected:
  Listener() { client_.connect(listener_.local_endpoint()); }
  ~Listener() override {
    if (accepted_ >= 0) ::close(accepted_);
  }

  // Whether the listener reports a connection to accept within `timeout_ms`.
  bool acceptable(int timeout_ms) {
    pollfd ready{listener_.native_handle(), POLLIN, 0};
    return ::poll(&ready, 1, timeout_ms) == 1;
  }
  // Sends `octets` and accepts the connection as the server does.
  void accept_after(std::string_view octets) {
    asio::write(client_, asio::buffer(octets));
    ASSERT_TRUE(acceptable(2000));
    accepted_ = ::accept4(listener_.native_handle(), nullptr, nullptr, SOCK_CLOEXEC);
    ASSERT_GE(accepted_, 0);
  }

  asio::io_context io_;
  asio::ip::tcp::acceptor listener_ =
      make_listener(io_, asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  asio::ip::tcp::socket client_{io_};
  int accepted_ = -1;
};

// The server never sets TCP_NODELAY on a connection: it comes from the listener. Without it,
// a response written in two parts (after a 100 Continue, or after a short write) would wait
// for the client's delayed ACK.
TEST_F(Listener, AcceptedSocketsComeWithTcpNoDelay) {
  accept_after("GET");
  int flag = 0;
  socklen_t size = sizeof flag;
  ASSERT_EQ(::getsockopt(accepted_, IPPROTO_TCP, TCP_NODELAY, &flag, &size), 0);
  EXPECT_NE(flag, 0);
}

// TCP_DEFER_ACCEPT: a connection is handed over once its first octets have come, so the worker
// accepts and reads it in one turn.
TEST_F(Listener, AConnectionIsHandedOverOnceItsRequestComes) {
  EXPECT_FALSE(acceptable(200)) << "connected, nothing sent: not yet acceptable";
  accept_after("GET / HTTP/1.1\r\n");
  char first = 0;
  EXPECT_EQ(::recv(accepted_, &first, 1, MSG_DONTWAIT), 1) << "the request came with it";
}

}  // namespace
}  // namespace herald::net
