// Slow work (response::deferred): it runs off the worker's event loop, the worker keeps
// serving other connections meanwhile, and an HTTP/1.1 client is sent 102 Processing
// (RFC 2518 §10.1) every interval until the final response.

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>

#include <herald/server/server.hpp>

#include "support/raw_client.hpp"

namespace herald::server {
namespace {

using namespace std::chrono_literals;
using test::raw_client;
using test::raw_request;

class slow_handler : public handler {
 public:
  content_decision prepare(const request&) override { return content_decision::accept(0); }
  response handle(request& r) override {
    response pending;
    if (r.head.path == "/fast") {
      pending.set_text("fast\n");
      return pending;
    }
    const bool fails = r.head.path == "/slow-failure";
    pending.processing_interval = r.head.path == "/slow-silent" ? 0ms : 100ms;
    pending.deferred = [this, fails] {
      std::this_thread::sleep_for(450ms);
      ++finished;
      if (fails) throw std::runtime_error("the slow work broke");
      response done;
      done.set_text("done\n");
      return done;
    };
    return pending;
  }
  std::atomic<int> finished{0};
};

class Deferred : public testing::Test {
 protected:
  slow_handler handler_;
  test::running_server server_{test::test_options(), handler_};
};

TEST_F(Deferred, SendsProcessingWhileTheWorkRunsThenTheFinalResponse) {
  raw_client c = server_.connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/slow")));
  std::vector<test::http_response> interim;
  auto r = c.read_final(&interim);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "done\n");
  // 450 ms of work with a 100 ms interval: three or four 102s, each without content.
  EXPECT_GE(interim.size(), 3u);
  EXPECT_LE(interim.size(), 5u);
  for (const auto& i : interim) {
    EXPECT_EQ(i.status, 102);
    EXPECT_EQ(i.reason, "Processing");
  }
  EXPECT_EQ(handler_.finished, 1);
  // The connection stays usable.
  ASSERT_TRUE(c.send(raw_request("GET", "/fast")));
  auto again = c.read_response();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, "fast\n");
}

TEST_F(Deferred, NoProcessingForAnHttp10Client) {
  raw_client c = server_.connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/slow", {}, "HTTP/1.0")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);  // the first message is the final one: RFC 9110 §15.2
}

TEST_F(Deferred, NoProcessingWithoutAnInterval) {
  raw_client c = server_.connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/slow-silent")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(Deferred, TheWorkerServesOthersMeanwhile) {
  raw_client slow = server_.connect();
  ASSERT_TRUE(slow.send(raw_request("GET", "/slow-silent")));
  raw_client fast = server_.connect();
  auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(fast.send(raw_request("GET", "/fast")));
  auto r = fast.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "fast\n");
  // Answered while the slow work (450 ms) still runs on the one worker's connection.
  EXPECT_LT(std::chrono::steady_clock::now() - started, 300ms);
  EXPECT_TRUE(slow.read_response());
}

// The responses to requests pipelined before the slow one go out before its first 102, and
// before the work is done.
TEST_F(Deferred, EarlierPipelinedResponsesPrecedeTheProcessingOnes) {
  raw_client c = server_.connect();
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(c.send(raw_request("GET", "/fast") + raw_request("GET", "/slow")));
  auto first = c.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "fast\n");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 300ms) << "sent only with the 102";
  std::vector<test::http_response> interim;
  auto r = c.read_final(&interim);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "done\n");
  EXPECT_GE(interim.size(), 3u);
}

TEST_F(Deferred, FailingWorkBecomes500) {
  raw_client c = server_.connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/slow-failure")));
  auto r = c.read_final();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body.find("broke"), std::string::npos);  // the detail stays in the log
}

}  // namespace
}  // namespace herald::server
