// The server as a whole (src/server/server.cpp): binding, workers, the connection cap, deny
// rules for peers, drain, and shutting down with connections still open.

#include <arpa/inet.h>
#include <atomic>
#include <future>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <system_error>
#include <unistd.h>
#include <vector>

#include <herald/server/server.hpp>

#include "server/idle_parking.hpp"
#include "support/raw_client.hpp"

namespace herald::server {
namespace {

using namespace std::chrono_literals;
using test::raw_client;
using test::raw_request;
using test::steady;
using testing::HasSubstr;

// "/slow" blocks its worker until release() (or 3 s), so a test can act while a request is in
// flight; "/throw" throws; anything else answers its target.
class test_handler : public handler {
 public:
  std::atomic<bool> slow_entered{false};

  content_decision prepare(const request&) override { return content_decision::accept(1024); }
  response handle(request& r) override {
    if (r.head.path == "/throw") throw std::runtime_error("boom");
    if (r.head.path == "/slow") {
      slow_entered = true;
      released_.wait_for(3s);
    }
    response ok(200);
    ok.set_text(std::string(r.head.target) + "\n");
    return ok;
  }
  void release() { release_.set_value(); }
  bool wait_for_slow(std::chrono::milliseconds timeout = 2s) {
    const auto deadline = steady::now() + timeout;
    while (!slow_entered && steady::now() < deadline) std::this_thread::sleep_for(1ms);
    return slow_entered;
  }

 private:
  std::promise<void> release_;
  std::shared_future<void> released_ = release_.get_future().share();
};

std::optional<test::http_response> get(raw_client& c, std::string_view target) {
  if (!c.send(raw_request("GET", target))) return std::nullopt;
  return c.read_response();
}

// Whether a new connection to `port` is refused (the listener is closed).
bool refused(unsigned short port) {
  try {
    raw_client probe(port);
    return false;
  } catch (const std::runtime_error&) {
    return true;
  }
}

bool wait_until_refused(unsigned short port, std::chrono::milliseconds timeout = 1s) {
  const auto deadline = steady::now() + timeout;
  while (steady::now() < deadline) {
    if (refused(port)) return true;
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

// A plain listening socket on 127.0.0.1 with a kernel-chosen port, without SO_REUSEPORT.
class plain_listener {
 public:
  plain_listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a);
    ::listen(fd_, 4);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~plain_listener() { ::close(fd_); }
  unsigned short port() const { return port_; }

 private:
  int fd_ = -1;
  unsigned short port_ = 0;
};

bool ipv6_loopback_available() {
  int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  bool ok = ::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// ----- binding -------------------------------------------------------------------------------

TEST(ServerStart, PortsAreTheBoundPortsInListenOrder) {
  if (!ipv6_loopback_available()) GTEST_SKIP() << "no IPv6 loopback";
  test_handler h;
  options o = test::test_options();
  o.listen = {listen_address{"127.0.0.1", 0}, listen_address{"::1", 0}};
  o.workers = 2;
  test::running_server s(o, h);
  std::vector<unsigned short> ports = s.get().ports();
  ASSERT_EQ(ports.size(), 2u);
  EXPECT_NE(ports[0], 0);
  EXPECT_NE(ports[1], 0);
  raw_client v4(ports[0]);
  auto r = get(v4, "/v4");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);

  int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  a.sin6_port = htons(ports[1]);
  EXPECT_EQ(::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a), 0) << "[::1] port";
  ::close(fd);
}

// That start() refuses `o` with std::invalid_argument, whose message holds `naming`.
void expect_refused(const options& o, std::string_view naming) {
  test_handler h;
  server s(o, h);
  try {
    s.start();
    ADD_FAILURE() << "started";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr(naming));
  }
}

TEST(ServerStart, UnparsableHostThrowsNamingIt) {
  options o = test::test_options();
  o.listen = {listen_address{"not-an-address", 0}};
  expect_refused(o, "not-an-address");
}

// Every response carries the Server value: one no field can hold would leave no response
// sendable (it used to recurse, failing the 500 that replaced each one, until the stack ran out).
TEST(ServerStart, AServerValueNoFieldCanHoldIsRefused) {
  for (const char* value : {"bad\x01value", "bad\r\nX-Injected: 1", " padded"}) {
    SCOPED_TRACE(value);
    options o = test::test_options();
    o.server_header = value;
    expect_refused(o, "Server header value");
  }
}

TEST(ServerStart, ADeniedPeerThatIsNoAddressIsRefused) {
  options o = test::test_options();
  o.deny_peers = {"127.0.0.1", "localhost"};
  expect_refused(o, "localhost");
}

TEST(ServerStart, PortHeldByAnotherSocketThrowsNamingTheAddress) {
  plain_listener taken;
  test_handler h;
  options o = test::test_options();
  o.listen = {listen_address{"127.0.0.1", taken.port()}};
  server s(o, h);
  try {
    s.start();
    ADD_FAILURE() << "started on a port in use";
  } catch (const std::system_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("127.0.0.1:" + std::to_string(taken.port())));
  }
}

// SO_REUSEPORT lets this server's own workers share a port; it must not let a second server
// (a second `herald serve` started by mistake) silently take half of the first one's traffic.
TEST(ServerStart, SecondServerOnAPortInUseFailsToStart) {
  test_handler h;
  test::running_server first(test::test_options(), h);
  options o = test::test_options();
  o.listen = {listen_address{"127.0.0.1", first.port()}};
  server second(o, h);
  EXPECT_THROW(second.start(), std::system_error)
      << "a second server bound port " << first.port() << " too";
  second.drain();
  second.wait();
}

TEST(ServerStart, SeveralWorkersServeManyConnections) {
  test_handler h;
  options o = test::test_options();
  o.workers = 2;
  test::running_server s(o, h);
  std::vector<raw_client> clients;
  for (int i = 0; i < 16; ++i) clients.push_back(s.connect());
  for (std::size_t i = 0; i < clients.size(); ++i)
    ASSERT_TRUE(clients[i].send(raw_request("GET", "/n" + std::to_string(i))));
  for (std::size_t i = 0; i < clients.size(); ++i) {
    auto r = clients[i].read_response();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->body, "/n" + std::to_string(i) + "\n");
  }
}

TEST(ServerStart, ConnectionsQueuedBeyondOneAcceptBatchAreAllServed) {
  // While its one worker is busy, connections wait in the kernel's queue, more than one turn
  // of accepting takes (64), and each sends its request before the worker accepts it: each
  // first read must still see the request that came before the connection was registered.
  test_handler h;
  options o = test::test_options();
  o.workers = 1;
  test::running_server s(o, h);
  raw_client busy = s.connect();
  ASSERT_TRUE(busy.send(raw_request("GET", "/slow")));
  ASSERT_TRUE(h.wait_for_slow());
  std::vector<raw_client> queued;
  for (int i = 0; i < 150; ++i) {
    queued.push_back(s.connect());
    ASSERT_TRUE(queued.back().send(raw_request("GET", "/q" + std::to_string(i))));
  }
  h.release();
  ASSERT_TRUE(busy.read_response());
  for (std::size_t i = 0; i < queued.size(); ++i) {
    auto r = queued[i].read_response();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->body, "/q" + std::to_string(i) + "\n");
  }
}

TEST(ServerStart, ServerHeaderIsConfigurableOrOff) {
  test_handler h;
  options o = test::test_options();
  o.server_header = "custom/1.0";
  {
    test::running_server s(o, h);
    raw_client c = s.connect();
    auto r = get(c, "/");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->field("Server"), "custom/1.0");
  }
  o.server_header.clear();
  test::running_server s(o, h);
  raw_client c = s.connect();
  auto r = get(c, "/");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has("Server"));
  EXPECT_TRUE(r->has("Date"));
}

// ----- failures and overload ---------------------------------------------------------------

TEST(ServerRun, HandlerExceptionLeavesTheWorkerServing) {
  test_handler h;
  test::running_server s(test::test_options(), h);
  raw_client first = s.connect();
  auto failed = get(first, "/throw");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 500);
  raw_client second = s.connect();
  auto ok = get(second, "/after");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST(ServerRun, ConnectionsOverTheCapAnswer503WithRetryAfterAndClose) {
  test_handler h;
  options o = test::test_options();
  o.max_connections_per_worker = 1;
  test::running_server s(o, h);
  std::optional<raw_client> held(s.connect());
  auto first = get(*held, "/held");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);

  raw_client over = s.connect();
  auto r = over.read_response();
  ASSERT_TRUE(r) << to_string(over.last_end());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->field("Retry-After"), "7");
  EXPECT_TRUE(r->has_token("Connection", "close"));
  EXPECT_TRUE(r->has("Date"));
  nlohmann::json problem = nlohmann::json::parse(r->body);
  EXPECT_EQ(problem["reason"], "over-capacity");
  EXPECT_EQ(problem["temporary"], true);
  EXPECT_TRUE(over.wait_closed(2s));
  EXPECT_EQ(over.buffered(), "");

  auto still = get(*held, "/still");
  ASSERT_TRUE(still);
  EXPECT_EQ(still->status, 200);

  // Once the held connection closes, there is room again.
  held.reset();
  const auto deadline = steady::now() + 2s;
  int status = 0;
  while (steady::now() < deadline && status != 200) {
    raw_client c = s.connect();
    auto again = get(c, "/room");
    status = again ? again->status : 0;
    if (status != 200) std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(status, 200);
}

// A parked connection (server/idle_parking.hpp) still holds a descriptor: it counts.
TEST(ServerRun, ParkedConnectionsCountTowardsTheCap) {
  test_handler h;
  options o = test::test_options();
  o.max_connections_per_worker = 1;
  test::running_server s(o, h);
  raw_client held = s.connect();
  ASSERT_TRUE(get(held, "/held"));
  std::this_thread::sleep_for(idle_parking::park_after + 300ms);

  raw_client over = s.connect();
  auto r = over.read_response();
  ASSERT_TRUE(r) << to_string(over.last_end());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->field("Retry-After"), "7");

  auto still = get(held, "/still");
  ASSERT_TRUE(still) << to_string(held.last_end());
  EXPECT_EQ(still->status, 200);
}

TEST(ServerRun, DeniedPeerIsClosedWithoutAnyResponse) {
  test_handler h;
  options o = test::test_options();
  o.deny_peers = {"127.0.0.1"};
  test::running_server s(o, h);
  raw_client c = s.connect();
  c.send(raw_request("GET", "/"));
  EXPECT_TRUE(c.wait_closed(2s)) << to_string(c.last_end());
  EXPECT_EQ(c.buffered(), "");
}

// ----- drain ---------------------------------------------------------------------------------

TEST(ServerDrain, RequestInFlightFinishes) {
  test_handler h;
  test::running_server s(test::test_options(), h);
  raw_client c = s.connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/slow")));
  ASSERT_TRUE(h.wait_for_slow());
  s.get().drain();
  h.release();
  auto r = c.read_response();
  ASSERT_TRUE(r) << to_string(c.last_end());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "/slow\n");
  EXPECT_TRUE(c.wait_closed(1s)) << "the connection is closed once its request is done";
  const auto begin = steady::now();
  s.get().wait();
  EXPECT_LT(steady::now() - begin, 1s);
}

TEST(ServerDrain, NewRequestOnAnOpenConnectionGets503RetryAfterAndClose) {
  test_handler h;
  test::running_server s(test::test_options(), h);
  raw_client c = s.connect();
  // The first request is answered; the second is half-sent, so the connection is busy (not
  // idle) when the drain starts.
  ASSERT_TRUE(
      c.send(raw_request("GET", "/first") + "GET /second HTTP/1.1\r\nHost: test.local\r\n"));
  auto first = c.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  s.get().drain();
  ASSERT_TRUE(wait_until_refused(s.port())) << "the listener is still open";
  ASSERT_TRUE(c.send("\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r) << to_string(c.last_end());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->field("Retry-After"), "7");
  EXPECT_TRUE(r->has_token("Connection", "close"));
  nlohmann::json problem = nlohmann::json::parse(r->body);
  EXPECT_EQ(problem["reason"], "draining");
  EXPECT_EQ(problem["temporary"], true);
  EXPECT_TRUE(c.wait_closed(1s));
  const auto begin = steady::now();
  s.get().wait();
  EXPECT_LT(steady::now() - begin, 1s);
}

TEST(ServerDrain, IdleConnectionsAreClosedAndWaitReturnsEarly) {
  test_handler h;
  options o = test::test_options();
  o.grace_period = 5s;
  test::running_server s(o, h);
  raw_client a = s.connect();
  raw_client b = s.connect();
  ASSERT_TRUE(get(a, "/a"));
  ASSERT_TRUE(get(b, "/b"));
  const auto begin = steady::now();
  s.get().drain();
  EXPECT_TRUE(a.wait_closed(1s));
  EXPECT_TRUE(b.wait_closed(1s));
  EXPECT_EQ(a.buffered(), "");
  EXPECT_EQ(b.buffered(), "");
  s.get().wait();
  EXPECT_LT(steady::now() - begin, 1s) << "wait() needs no grace period when nothing is busy";
}

TEST(ServerDrain, ParkedConnectionsAreClosedAtOnce) {
  test_handler h;
  options o = test::test_options();
  o.grace_period = 5s;
  test::running_server s(o, h);
  raw_client a = s.connect();
  ASSERT_TRUE(get(a, "/a"));
  std::this_thread::sleep_for(idle_parking::park_after + 300ms);
  const auto begin = steady::now();
  s.get().drain();
  EXPECT_TRUE(a.wait_closed(1s));
  EXPECT_EQ(a.buffered(), "");
  s.get().wait();
  EXPECT_LT(steady::now() - begin, 1s) << "a parked connection is idle: no grace period";
}

// A connection that never finishes its request cannot hold the server past the grace period;
// and the server must then be destroyed safely with that connection's coroutine still pending
// (run under ASan: make test).
TEST(ServerDrain, GracePeriodBoundsWaitWhenAConnectionStaysBusy) {
  test_handler h;
  options o = test::test_options();
  o.grace_period = 300ms;
  o.header_timeout = 10s;
  std::optional<server> s;
  s.emplace(o, h);
  s->start();
  raw_client c(s->ports().at(0));
  ASSERT_TRUE(c.send(raw_request("GET", "/first") + "GET /never-ends HTTP/1.1\r\n"));
  ASSERT_TRUE(c.read_response());
  const auto begin = steady::now();
  s->drain();
  s->wait();
  const auto waited = steady::now() - begin;
  EXPECT_GE(waited, 250ms);
  EXPECT_LT(waited, 1500ms);
  s.reset();
  EXPECT_TRUE(c.wait_closed(1s)) << "the connection outlived its server";
}

// Destroying a server that was never drained stops it; its open connections end with it.
TEST(ServerDrain, DestroyingARunningServerWithAnOpenConnection) {
  test_handler h;
  std::optional<server> s;
  s.emplace(test::test_options(), h);
  s->start();
  raw_client c(s->ports().at(0));
  ASSERT_TRUE(get(c, "/open"));
  s.reset();
  EXPECT_TRUE(c.wait_closed(1s)) << "the connection outlived its server";
}

}  // namespace
}  // namespace herald::server
