// Paced deliveries (server::delivery in include/herald/server/response.hpp, performed by
// connection::deliver and deliver_framed in src/server/connection.cpp), served by an in-process
// server to a raw client: a delay before the response, 102 Processing during it (HTTP/1.1
// only), interim responses before the delay, pieces written apart, chunked content with
// trailers (and its close-delimited form for HTTP/1.0), content cut short, raw octets held open
// then closed, keep-alive after a paced response, and HEAD.

#include <chrono>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <herald/server/handler.hpp>

#include "support/raw_client.hpp"

namespace herald::server {
namespace {

using namespace std::chrono_literals;
using test::http_response;
using test::raw_client;
using test::raw_request;
using testing::HasSubstr;
using testing::Not;
using testing::StartsWith;

// Answers each path with one kind of paced response.
class paced_handler : public handler {
 public:
  content_decision prepare(const request&) override { return content_decision::accept(1024); }

  response handle(request& req) override {
    const std::string_view path = req.head.path;
    auto plan = std::make_shared<delivery>();
    response r;
    if (path == "/delay") {
      r.set_text("late");
      plan->delay = 400ms;
    } else if (path == "/processing") {
      r.set_text("done");
      r.processing_interval = 300ms;
      plan->delay = 1100ms;
    } else if (path == "/interim") {
      r.set_text("final");
      r.interim.push_back({103, {}});
      r.interim.back().fields.add("Link", "</style.css>; rel=preload; as=style");
      plan->delay = 1500ms;
    } else if (path == "/chunked") {
      r.fields.set("Content-Type", "text/plain");
      r.fields.set("Trailer", "X-Sum, X-Note");
      r.body.pieces.emplace_back(std::string("abc"));
      r.body.pieces.emplace_back(std::string());  // an empty piece must not end the content
      r.body.pieces.emplace_back(std::string("defgh"));
      plan->chunked = true;
      plan->trailers.add("X-Sum", "8");
      plan->trailers.add("X-Note", "two");
    } else if (path == "/slow-chunked") {
      r.body.pieces.emplace_back(std::string(20000, 's'));
      plan->chunked = true;
      plan->delay = 300ms;
    } else if (path == "/pieces") {
      r.fields.set("Content-Type", "text/plain");
      for (const char* piece : {"one", "two", "three"}) r.body.pieces.emplace_back(std::string(piece));
      plan->between_pieces = 150ms;
    } else if (path == "/cut") {
      r.set_text(std::string(100, 'x'), "application/octet-stream");
      plan->cut_after = 10;
    } else if (path == "/cut-chunked") {
      r.body.pieces.emplace_back(std::string(8, 'a'));
      r.body.pieces.emplace_back(std::string(8, 'b'));
      plan->chunked = true;
      plan->cut_after = 12;
    } else if (path == "/raw") {
      plan->raw = "HELLO\r\n";
      plan->hold = 500ms;
    } else if (path == "/nothing") {
      plan->raw = std::string();
    } else if (path == "/no-content") {
      r.status = 204;
      plan->delay = 100ms;
    } else {
      r.set_text("plain");
      return r;
    }
    r.paced = std::move(plan);
    return r;
  }
};

class Delivery : public testing::Test {
 protected:
  void SetUp() override { server_.emplace(test::test_options(), handler_); }
  raw_client connect() { return server_->connect(); }

  // Sends `request` with Connection: close and returns every octet until the server closes.
  std::string wire(const std::string& path, std::string_view method = "GET",
                   std::string_view version = "HTTP/1.1") {
    raw_client c = connect();
    if (!c.send(raw_request(method, path, {"Connection: close"}, version))) return "";
    EXPECT_TRUE(c.wait_closed(3s)) << path;
    return c.buffered();
  }

  paced_handler handler_;
  std::optional<test::running_server> server_;
};

std::string head_of(const std::string& wire) { return wire.substr(0, wire.find("\r\n\r\n") + 4); }
std::string after_head(const std::string& wire) {
  const std::size_t end = wire.find("\r\n\r\n");
  return end == std::string::npos ? "" : wire.substr(end + 4);
}

TEST_F(Delivery, DelayHoldsTheResponseBack) {
  raw_client c = connect();
  const auto start = test::steady::now();
  ASSERT_TRUE(c.send(raw_request("GET", "/delay")));
  ASSERT_TRUE(c.wait_readable(2s));
  EXPECT_GE(test::steady::now() - start, 380ms) << "the first octet came before the delay";
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "late");
  EXPECT_TRUE(r->has("Date"));
  EXPECT_EQ(r->field("Server"), "herald");
}

TEST_F(Delivery, ProcessingSends102EveryIntervalDuringTheDelay) {
  raw_client c = connect();
  const auto start = test::steady::now();
  ASSERT_TRUE(c.send(raw_request("GET", "/processing")));
  std::vector<http_response> interim;
  auto r = c.read_final(&interim, "GET", 3s);
  ASSERT_TRUE(r);
  EXPECT_GE(test::steady::now() - start, 1050ms);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "done");
  // At 300, 600 and 900 ms; none at 1100, when the response itself is due.
  ASSERT_EQ(interim.size(), 3u);
  for (const http_response& i : interim) {
    EXPECT_EQ(i.status, 102);
    EXPECT_EQ(i.head, "HTTP/1.1 102 Processing\r\n\r\n");
  }
}

TEST_F(Delivery, No102ToHttp10) {
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/processing", {}, "HTTP/1.0")));
  auto r = c.read_response("GET", 3s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << "RFC 9110 §15.2: no 1xx to an HTTP/1.0 client";
  EXPECT_EQ(r->body, "done");
  EXPECT_THAT(r->head, Not(HasSubstr("102")));
}

TEST_F(Delivery, InterimResponsesGoOutBeforeTheDelay) {
  raw_client c = connect();
  const auto start = test::steady::now();
  ASSERT_TRUE(c.send(raw_request("GET", "/interim")));
  auto hints = c.read_response("GET", 2s);
  ASSERT_TRUE(hints);
  EXPECT_LT(test::steady::now() - start, 1000ms) << "the 103 waited for the delay";
  EXPECT_EQ(hints->status, 103);
  EXPECT_EQ(hints->field("Link"), "</style.css>; rel=preload; as=style");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_GE(test::steady::now() - start, 1450ms);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "final");
}

TEST_F(Delivery, InterimResponsesAreNotSentToHttp10) {
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/interim", {}, "HTTP/1.0")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "final");
}

TEST_F(Delivery, PiecesArriveApart) {
  raw_client c = connect();
  const auto start = test::steady::now();
  ASSERT_TRUE(c.send(raw_request("GET", "/pieces")));
  while (c.buffered().find("one") == std::string::npos && c.fill(start + 2s)) {
  }
  ASSERT_THAT(c.buffered(), HasSubstr("Content-Length: 11\r\n"));
  EXPECT_THAT(c.buffered(), Not(HasSubstr("three"))) << "the pieces went out together";
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "onetwothree");
  EXPECT_GE(test::steady::now() - start, 280ms) << "two pauses of 150 ms";
}

TEST_F(Delivery, ChunkedWithTrailersOnTheWire) {
  const std::string octets = wire("/chunked");
  const std::string head = head_of(octets);
  EXPECT_THAT(head, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(head, HasSubstr("Transfer-Encoding: chunked\r\n"));
  EXPECT_THAT(head, HasSubstr("Trailer: X-Sum, X-Note\r\n"));
  EXPECT_THAT(head, Not(HasSubstr("Content-Length")));
  // One chunk per non-empty piece, the last chunk, the trailer section, the empty line.
  EXPECT_EQ(after_head(octets), "3\r\nabc\r\n5\r\ndefgh\r\n0\r\nX-Sum: 8\r\nX-Note: two\r\n\r\n");
}

TEST_F(Delivery, ChunkedKeepsTheConnectionForTheNextRequest) {
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/chunked")));
  auto first = c.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->framing, http1::body_framing::chunked);
  EXPECT_EQ(first->body, "abcdefgh");
  EXPECT_TRUE(first->keep_alive);
  ASSERT_TRUE(c.send(raw_request("GET", "/plain")));
  auto second = c.read_response();
  ASSERT_TRUE(second) << "the trailer section left the connection out of step: "
                      << c.buffered();
  EXPECT_EQ(second->body, "plain");
}

TEST_F(Delivery, ChunkedToHttp10IsDelimitedByTheClose) {
  const std::string octets = wire("/chunked", "GET", "HTTP/1.0");
  const std::string head = head_of(octets);
  EXPECT_THAT(head, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(head, Not(HasSubstr("Transfer-Encoding")));
  EXPECT_THAT(head, Not(HasSubstr("Content-Length")));
  EXPECT_THAT(head, HasSubstr("Connection: close\r\n"));
  EXPECT_EQ(after_head(octets), "abcdefgh") << "no chunk sizes, no trailers";
  // RFC 9110 §6.6.2: Trailer announces the fields the trailer section will hold; without one,
  // it announces fields that never come.
  EXPECT_THAT(head, Not(HasSubstr("Trailer:")));
}

TEST_F(Delivery, ChunkedToHttp10KeepAliveIsStillClosed) {
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/chunked", {"Connection: keep-alive"}, "HTTP/1.0")));
  ASSERT_TRUE(c.wait_closed(2s)) << "close-delimited content needs the close";
  EXPECT_THAT(head_of(c.buffered()), HasSubstr("Connection: close\r\n"));
  EXPECT_EQ(after_head(c.buffered()), "abcdefgh");
}

// RFC 9112 §9.6: a server closing while the client may still be sending closes in stages
// (lingering), so that the client reads the response rather than a reset; the ordinary path
// does so (connection_test.cpp), and a paced response whose end is the close must too.
TEST_F(Delivery, CloseDelimitedResponseSurvivesARequestSentMeanwhile) {
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/slow-chunked", {}, "HTTP/1.0")));
  std::this_thread::sleep_for(100ms);
  // Sent while the server waits out the delay: it stays unread in the server's kernel.
  ASSERT_TRUE(c.send(raw_request("GET", "/plain", {}, "HTTP/1.0")));
  std::this_thread::sleep_for(600ms);  // the response and the close are both here by now
  EXPECT_TRUE(c.wait_closed(2s));
  EXPECT_EQ(c.last_end(), test::read_end::closed) << "the server reset the connection";
  EXPECT_EQ(after_head(c.buffered()), std::string(20000, 's'));
}

TEST_F(Delivery, CutAfterClosesMidContent) {
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/cut")));
  ASSERT_TRUE(c.wait_closed(2s));
  const std::string head = head_of(c.buffered());
  EXPECT_THAT(head, HasSubstr("Content-Length: 100\r\n"));
  EXPECT_THAT(head, HasSubstr("Connection: close\r\n"));
  EXPECT_EQ(after_head(c.buffered()), std::string(10, 'x'));
}

TEST_F(Delivery, CutAfterInChunkedContentEndsWithoutTheLastChunk) {
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/cut-chunked")));
  ASSERT_TRUE(c.wait_closed(2s));
  EXPECT_THAT(head_of(c.buffered()), HasSubstr("Transfer-Encoding: chunked\r\n"));
  EXPECT_EQ(after_head(c.buffered()), "8\r\naaaaaaaa\r\n4\r\nbbbb\r\n");
}

TEST_F(Delivery, RawOctetsThenHoldThenClose) {
  raw_client c = connect();
  const auto start = test::steady::now();
  ASSERT_TRUE(c.send(raw_request("GET", "/raw")));
  EXPECT_EQ(c.read_exactly(7, 1s), "HELLO\r\n");
  EXPECT_TRUE(c.stays_quiet(250ms)) << "closed before the hold was over";
  ASSERT_TRUE(c.wait_closed(1500ms));
  EXPECT_EQ(c.buffered(), "") << "only the raw octets are sent";
  EXPECT_GE(test::steady::now() - start, 450ms);
}

TEST_F(Delivery, EmptyRawClosesWithoutAResponse) {
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/nothing")));
  ASSERT_TRUE(c.wait_closed(1s));
  EXPECT_EQ(c.buffered(), "");
}

TEST_F(Delivery, KeepAliveAfterAPacedResponse) {
  raw_client c = connect();
  const auto start = test::steady::now();
  ASSERT_TRUE(c.send(raw_request("GET", "/pieces")));
  auto first = c.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, "onetwothree");
  EXPECT_TRUE(first->keep_alive);
  ASSERT_TRUE(c.send(raw_request("GET", "/delay")));
  auto second = c.read_response();
  ASSERT_TRUE(second) << test::to_string(c.last_end());
  EXPECT_EQ(second->body, "late");
  ASSERT_TRUE(c.send(raw_request("GET", "/plain")));
  auto third = c.read_response();
  ASSERT_TRUE(third);
  EXPECT_EQ(third->body, "plain");
  EXPECT_GE(test::steady::now() - start, 650ms);
}

TEST_F(Delivery, PipelinedRequestAfterAPacedResponse) {
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/delay") + raw_request("GET", "/plain")));
  auto first = c.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, "late");
  auto second = c.read_response();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body, "plain");
}

TEST_F(Delivery, PipelinedResponsesKeepTheirOrderAroundAPacedOne) {
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/plain") + raw_request("GET", "/pieces") +
                     raw_request("GET", "/plain")));
  std::vector<std::string> bodies;
  for (int i = 0; i < 3; ++i) {
    auto r = c.read_response();
    ASSERT_TRUE(r) << i;
    bodies.push_back(r->body);
  }
  EXPECT_EQ(bodies, (std::vector<std::string>{"plain", "onetwothree", "plain"}));
}

TEST_F(Delivery, Http10KeepAliveSurvivesAPacedResponseWithALength) {
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/pieces", {"Connection: keep-alive"}, "HTTP/1.0")));
  auto first = c.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, "onetwothree");
  EXPECT_THAT(first->head, HasSubstr("Connection: keep-alive\r\n"));
  ASSERT_TRUE(c.send(raw_request("GET", "/plain", {"Connection: keep-alive"}, "HTTP/1.0")));
  auto second = c.read_response();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body, "plain");
}

TEST_F(Delivery, HeadOnAPacedResponseHasNoContent) {
  raw_client c = connect();
  for (std::string path : {"/pieces", "/chunked", "/delay"}) {
    ASSERT_TRUE(c.send(raw_request("HEAD", path))) << path;
    auto r = c.read_response("HEAD");
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path;
    EXPECT_EQ(r->body, "") << path;
    EXPECT_TRUE(r->keep_alive) << path;
  }
  // Had content followed a HEAD response, this one would be read from it.
  ASSERT_TRUE(c.send(raw_request("GET", "/plain")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "plain");
  EXPECT_EQ(c.buffered(), "");
}

TEST_F(Delivery, HeadOnACutResponseSendsTheHeadAndCloses) {
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("HEAD", "/cut")));
  auto r = c.read_response("HEAD");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->field("Content-Length"), "100");
  EXPECT_TRUE(c.wait_closed(1s));
  EXPECT_EQ(c.buffered(), "");
}

TEST_F(Delivery, PacedNoContentHasNoFraming) {
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/no-content")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_FALSE(r->has("Content-Length"));
  EXPECT_FALSE(r->has("Transfer-Encoding"));
  ASSERT_TRUE(c.send(raw_request("GET", "/plain")));
  auto next = c.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "plain");
}

}  // namespace
}  // namespace herald::server
