// The HTTP/1.1 client's exchanges (src/client/http_client.cpp), one at a time, against the lab
// and against raw loopback peers that misbehave on purpose: what it sends (request line, Host,
// User-Agent, Accept, Content-Length, Expect), how it frames what comes back (Content-Length,
// chunked with trailers, until the close, none for HEAD/204/304; two differing lengths and
// short content are failures), interim responses, keep-alive reuse and a kept-alive connection
// the server closed while idle, content codings, timeouts, connect failures and ranged
// downloads into a content_sink. Every peer read and client exchange is bounded by timeouts.

#include <herald/client/http_client.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <future>
#include <string>

#include <herald/core/form.hpp>

#include "client/client_support.hpp"

namespace herald::client {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;
using test::peer;
using test::raw_server;
using testing::HasSubstr;
using testing::StartsWith;

request_spec get(std::string url) {
  request_spec r;
  r.url = std::move(url);
  return r;
}

client_options quick() {
  client_options o;
  o.connect_timeout = 2s;
  o.header_timeout = 2s;
  o.expect_timeout = 300ms;
  return o;
}

// The failure an exchange throws, or nullopt when it succeeds.
std::optional<failure> failure_of(http_client& c, const request_spec& r, content_sink* sink = nullptr) {
  try {
    c.exchange(r, sink);
  } catch (const failure& f) {
    return f;
  }
  return std::nullopt;
}

// A script that answers one request with `response`, then waits for the client to close.
raw_server::script answer(std::string response) {
  return [response](peer& p) {
    if (!p.read_request()) return;
    p.send(response);
    p.wait_closed(1s);
  };
}

// A script that answers each request of one connection in turn.
raw_server::script answer_each(std::vector<std::string> responses) {
  return [responses](peer& p) {
    for (const std::string& r : responses) {
      if (!p.read_request()) return;
      p.send(r);
    }
    p.wait_closed(1s);
  };
}

json json_of(const response_record& r) { return json::parse(r.body, nullptr, false); }

// ----- what it sends -----------------------------------------------------------------------------

TEST(HttpClient, GetSendsHostUserAgentAndAcceptAndNoLength) {
  raw_server s({answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")});
  http_client c(quick());
  response_record r = c.exchange(get(s.url("/path?q=1#frag")));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.reason, "OK");
  EXPECT_EQ(r.body, "ok");
  EXPECT_EQ(r.content_octets, 2u);
  ASSERT_EQ(s.requests().size(), 1u);
  const std::string sent = s.requests()[0];
  EXPECT_THAT(sent, StartsWith("GET /path?q=1 HTTP/1.1\r\n")) << "no fragment on the wire";
  EXPECT_EQ(test::field_of(sent, "Host"), "127.0.0.1:" + std::to_string(s.port()));
  EXPECT_EQ(test::field_of(sent, "User-Agent"), "herald/0.1.0");
  EXPECT_EQ(test::field_of(sent, "Accept"), "*/*");
  EXPECT_EQ(test::field_of(sent, "Content-Length"), "");
  EXPECT_EQ(test::field_of(sent, "Accept-Encoding"), "") << "decode_content is off";
  EXPECT_EQ(test::field_of(sent, "Expect"), "");
}

TEST(HttpClient, EmptyPathIsSlashAndUserFieldsWin) {
  raw_server s({answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")});
  http_client c(quick());
  request_spec r = get("http://127.0.0.1:" + std::to_string(s.port()));
  r.fields.add("User-Agent", "mine/1");
  r.fields.add("Accept", "text/plain");
  r.fields.add("X-Extra", "yes");
  c.exchange(r);
  const std::string sent = s.requests().at(0);
  EXPECT_THAT(sent, StartsWith("GET / HTTP/1.1\r\n"));
  EXPECT_EQ(test::field_of(sent, "User-Agent"), "mine/1");
  EXPECT_EQ(test::field_of(sent, "Accept"), "text/plain");
  EXPECT_EQ(test::field_of(sent, "X-Extra"), "yes");
}

TEST(HttpClient, PostSendsItsContentWithLengthAndEmptyPostSaysZero) {
  raw_server s({answer_each({"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
                             "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"})});
  http_client c(quick());
  request_spec post = get(s.url("/p"));
  post.method = "POST";
  post.body = "name=value";
  c.exchange(post);
  post.body.clear();
  c.exchange(post);
  auto sent = s.requests();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_THAT(sent[0], StartsWith("POST /p HTTP/1.1\r\n"));
  EXPECT_EQ(test::field_of(sent[0], "Content-Length"), "10");
  EXPECT_TRUE(sent[0].ends_with("\r\n\r\nname=value"));
  EXPECT_EQ(test::field_of(sent[0], "Expect"), "") << "below the threshold";
  EXPECT_EQ(test::field_of(sent[1], "Content-Length"), "0") << "RFC 9110 §8.6";
}

TEST(HttpClient, NotAnHttpUrlIsAUrlFailure) {
  http_client c(quick());
  for (std::string url : {"ftp://127.0.0.1/x", "/relative", "http://", "not a url"}) {
    auto f = failure_of(c, get(url));
    ASSERT_TRUE(f) << url;
    EXPECT_EQ(f->what_kind(), failure::kind::url) << url << ": " << f->what();
    EXPECT_TRUE(f->before_request());
  }
}

// ----- framing -----------------------------------------------------------------------------------

TEST(HttpClient, NoContentAndNotModifiedIgnoreContentLengthAndKeepTheConnection) {
  // RFC 9112 §6.3 rule 1: 204 and 304 end at the head whatever Content-Length says; the next
  // response on the same connection is read from the octet after it.
  raw_server s({answer_each({"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
                             "HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\nETag: \"x\"\r\n\r\n",
                             "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"})});
  http_client c(quick());
  response_record a = c.exchange(get(s.url("/a")));
  EXPECT_EQ(a.status, 204);
  EXPECT_EQ(a.body, "");
  EXPECT_FALSE(a.reused_connection);
  response_record b = c.exchange(get(s.url("/b")));
  EXPECT_EQ(b.status, 304);
  EXPECT_EQ(b.body, "");
  EXPECT_EQ(b.fields.find("ETag"), "\"x\"");
  EXPECT_TRUE(b.reused_connection);
  response_record d = c.exchange(get(s.url("/c")));
  EXPECT_EQ(d.status, 200);
  EXPECT_EQ(d.body, "hello");
  EXPECT_TRUE(d.reused_connection);
  EXPECT_EQ(s.connections(), 1u);
}

TEST(HttpClient, HeadReadsNoContent) {
  raw_server s({answer_each({"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n",
                             "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"})});
  http_client c(quick());
  request_spec head = get(s.url("/h"));
  head.method = "HEAD";
  response_record a = c.exchange(head);
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, "");
  EXPECT_EQ(a.fields.find("Content-Length"), "1000");
  response_record b = c.exchange(get(s.url("/g")));
  EXPECT_EQ(b.body, "abc");
  EXPECT_TRUE(b.reused_connection);
}

TEST(HttpClient, CloseDelimitedContentEndsAtTheCloseAndIsNotReused) {
  raw_server s({[](peer& p) {
                  if (!p.read_request()) return;
                  p.send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of this ");
                  std::this_thread::sleep_for(50ms);
                  p.send("and this");
                  p.close();
                },
                answer("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx")});
  http_client c(quick());
  response_record a = c.exchange(get(s.url("/a")));
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, "all of this and this");
  response_record b = c.exchange(get(s.url("/b")));
  EXPECT_EQ(b.body, "x");
  EXPECT_FALSE(b.reused_connection);
  EXPECT_EQ(s.connections(), 2u);
}

TEST(HttpClient, ConnectionCloseIsNotReused) {
  raw_server s({answer("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na"),
                answer("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb")});
  http_client c(quick());
  EXPECT_EQ(c.exchange(get(s.url("/a"))).body, "a");
  response_record b = c.exchange(get(s.url("/b")));
  EXPECT_EQ(b.body, "b");
  EXPECT_FALSE(b.reused_connection);
  EXPECT_EQ(s.connections(), 2u);
}

TEST(HttpClient, Http10WithoutKeepAliveIsNotReused) {
  raw_server s({answer("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\na"),
                answer("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nb")});
  http_client c(quick());
  EXPECT_EQ(c.exchange(get(s.url("/a"))).body, "a");
  response_record b = c.exchange(get(s.url("/b")));
  EXPECT_EQ(b.body, "b");
  EXPECT_FALSE(b.reused_connection);
}

TEST(HttpClient, DifferingContentLengthsAreAProtocolFailure) {
  // RFC 9112 §6.3 rule 5: an invalid Content-Length makes the response unrecoverable.
  raw_server s({answer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!")});
  http_client c(quick());
  auto f = failure_of(c, get(s.url("/")));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->what_kind(), failure::kind::protocol) << f->what();
  EXPECT_FALSE(f->before_request());
}

TEST(HttpClient, RepeatedEqualContentLengthsAreOne) {
  // RFC 9110 §8.6: "42, 42" may be accepted as 42.
  raw_server s({answer("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\nhello")});
  http_client c(quick());
  EXPECT_EQ(c.exchange(get(s.url("/"))).body, "hello");
}

TEST(HttpClient, ContentShorterThanAnnouncedIsIncomplete) {
  raw_server s({[](peer& p) {
    if (!p.read_request()) return;
    p.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this");
    p.close();
  }});
  http_client c(quick());
  auto f = failure_of(c, get(s.url("/")));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->what_kind(), failure::kind::incomplete);
  EXPECT_THAT(f->what(), HasSubstr("9 of 100"));
}

TEST(HttpClient, ChunkedCutBeforeTheLastChunkIsIncomplete) {
  raw_server s({[](peer& p) {
    if (!p.read_request()) return;
    p.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
    p.close();
  }});
  http_client c(quick());
  auto f = failure_of(c, get(s.url("/")));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->what_kind(), failure::kind::incomplete) << f->what();
}

TEST(HttpClient, BrokenChunkIsAProtocolFailure) {
  raw_server s({answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")});
  http_client c(quick());
  auto f = failure_of(c, get(s.url("/")));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->what_kind(), failure::kind::protocol) << f->what();
}

TEST(HttpClient, ChunkedWithTrailersFromARawPeer) {
  raw_server s({answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n"
                       "3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\nX-Sum: 7\r\nX-Other: b\r\n\r\n")});
  http_client c(quick());
  response_record r = c.exchange(get(s.url("/")));
  EXPECT_EQ(r.body, "abcdefg");
  EXPECT_EQ(r.trailers.find("X-Sum"), "7");
  EXPECT_EQ(r.trailers.find("X-Other"), "b");
  EXPECT_FALSE(r.fields.contains("X-Sum")) << "trailers are not header fields";
}

TEST(HttpClient, MalformedStatusLineIsAProtocolFailure) {
  raw_server s({answer("HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n")});
  http_client c(quick());
  auto f = failure_of(c, get(s.url("/")));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->what_kind(), failure::kind::protocol) << f->what();
}

TEST(HttpClient, InterimResponsesAreKeptInOrder) {
  raw_server s({answer("HTTP/1.1 100 Continue\r\n\r\n"
                       "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n\r\n"
                       "HTTP/1.1 102 Processing\r\n\r\n"
                       "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")});
  http_client c(quick());
  response_record r = c.exchange(get(s.url("/")));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
  ASSERT_EQ(r.interim.size(), 3u);
  EXPECT_EQ(r.interim[0].status, 100);
  EXPECT_EQ(r.interim[1].status, 103);
  EXPECT_EQ(r.interim[1].fields.find("Link"), "</style.css>; rel=preload; as=style");
  EXPECT_EQ(r.interim[2].status, 102);
}

// ----- keep-alive --------------------------------------------------------------------------------

TEST(HttpClient, IdleConnectionClosedByTheServerIsReplacedForIdempotentRequests) {
  std::promise<void> closed;
  raw_server s({[&closed](peer& p) {
                  if (!p.read_request()) return;
                  p.send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst");
                  p.close();  // as a server whose idle timeout passed
                  closed.set_value();
                },
                answer("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond")});
  http_client c(quick());
  EXPECT_EQ(c.exchange(get(s.url("/1"))).body, "first");
  ASSERT_EQ(closed.get_future().wait_for(2s), std::future_status::ready);
  std::this_thread::sleep_for(20ms);
  response_record r = c.exchange(get(s.url("/2")));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "second");
  EXPECT_FALSE(r.reused_connection) << "the answer came on a fresh connection";
  EXPECT_EQ(s.connections(), 2u);
  auto sent = s.requests();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_THAT(sent[1], StartsWith("GET /2 HTTP/1.1\r\n"));
}

TEST(HttpClient, IdleConnectionClosedByTheServerIsNotReplacedForPost) {
  std::promise<void> closed;
  raw_server s({[&closed](peer& p) {
                  if (!p.read_request()) return;
                  p.send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst");
                  p.close();
                  closed.set_value();
                },
                answer("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond")});
  http_client c(quick());
  EXPECT_EQ(c.exchange(get(s.url("/1"))).body, "first");
  ASSERT_EQ(closed.get_future().wait_for(2s), std::future_status::ready);
  std::this_thread::sleep_for(20ms);
  request_spec post = get(s.url("/2"));
  post.method = "POST";
  post.body = "x";
  auto f = failure_of(c, post);
  ASSERT_TRUE(f);
  EXPECT_THAT(f->what(), HasSubstr("not idempotent"));
  EXPECT_EQ(s.connections(), 1u) << "no second connection for a POST";
}

TEST(HttpClient, KeepAliveReuseWithTheLab) {
  test::lab_server lab;
  http_client c(quick());
  response_record a = c.exchange(get(lab.url("/get?n=1")));
  response_record b = c.exchange(get(lab.url("/get?n=2")));
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(b.status, 200);
  EXPECT_FALSE(a.reused_connection);
  EXPECT_GT(a.time.connect.count(), 0);
  EXPECT_TRUE(b.reused_connection);
  EXPECT_EQ(b.time.connect.count(), 0);
  EXPECT_EQ(json_of(b)["args"]["n"], "2");
}

// ----- lab endpoints -----------------------------------------------------------------------------

TEST(HttpClient, ChunkedTrailersFromTheLab) {
  test::lab_server lab;
  http_client c(quick());
  response_record r = c.exchange(get(lab.url("/trailers")));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.fields.find("Transfer-Encoding"), "chunked");
  std::optional<std::string_view> digest = r.trailers.find("Content-Digest");
  ASSERT_TRUE(digest);
  unsigned char raw[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  EVP_Digest(r.body.data(), r.body.size(), raw, &size, EVP_sha256(), nullptr);
  EXPECT_EQ(*digest, "sha-256=:" + core::base64_encode(std::string_view(reinterpret_cast<char*>(raw), size)) + ":");
}

TEST(HttpClient, DroppedContentIsIncomplete) {
  test::lab_server lab;
  http_client c(quick());
  auto f = failure_of(c, get(lab.url("/drop/10?length=100")));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->what_kind(), failure::kind::incomplete) << f->what();
  EXPECT_THAT(f->what(), HasSubstr("10 of 100"));
}

TEST(HttpClient, EarlyHintsKeepTheLinkInTheInterimResponse) {
  test::lab_server lab;
  http_client c(quick());
  response_record r = c.exchange(get(lab.url("/early-hints")));
  EXPECT_EQ(r.status, 200);
  ASSERT_EQ(r.interim.size(), 1u);
  EXPECT_EQ(r.interim[0].status, 103);
  auto link = r.interim[0].fields.find("Link");
  ASSERT_TRUE(link);
  EXPECT_THAT(std::string(*link), HasSubstr("rel=preload"));
  EXPECT_EQ(r.fields.find("Link"), link);
}

TEST(HttpClient, ProcessingInterimResponsesBeforeTheFinalOne) {
  test::lab_server lab;
  client_options o = quick();
  o.header_timeout = 5s;
  http_client c(o);
  const auto start = std::chrono::steady_clock::now();
  response_record r = c.exchange(get(lab.url("/processing?seconds=2.5")));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 2400ms);
  EXPECT_EQ(r.status, 200);
  ASSERT_GE(r.interim.size(), 2u);
  for (const interim_record& i : r.interim) EXPECT_EQ(i.status, 102);
  EXPECT_EQ(json_of(r)["processed"], 2.5);
}

TEST(HttpClient, ProcessingKeepsTheHeadTimeoutFromFiring) {
  // RFC 2518 §10.1: 102 tells the client that the server accepted the request and is still
  // working on it, so that the client does not time out. Here a 102 arrives after 1 s, the
  // final response after 2 s, and no silence lasts 1.5 s. (Fails on purpose: header_timeout
  // runs from the request's end to the final head whatever arrives meanwhile; reported.)
  test::lab_server lab;
  client_options o = quick();
  o.header_timeout = 1500ms;
  http_client c(o);
  auto f = failure_of(c, get(lab.url("/processing?seconds=2")));
  EXPECT_FALSE(f) << f->what();
}

TEST(HttpClient, ContentCodingsAreDecodedWhenAsked) {
  test::lab_server lab;
  client_options o = quick();
  o.decode_content = true;
  http_client c(o);
  for (auto [path, flag] : {std::pair<std::string, std::string>{"/gzip", "gzipped"},
                            {"/deflate", "deflated"},
                            {"/brotli", "brotli"},
                            {"/zstd", "zstd"}}) {
    response_record r = c.exchange(get(lab.url(path)));
    ASSERT_EQ(r.status, 200) << path;
    json j = json_of(r);
    ASSERT_FALSE(j.is_discarded()) << path << ": " << r.body.substr(0, 40);
    EXPECT_EQ(j[flag], true) << path;
    EXPECT_EQ(j["headers"]["Accept-Encoding"], "gzip, deflate, br, zstd") << path;
    EXPECT_FALSE(r.fields.contains("Content-Encoding")) << path;
    EXPECT_LT(r.content_octets, r.body.size()) << path << ": the coded size was received";
  }
}

TEST(HttpClient, ContentCodingsAreKeptWhenNotAsked) {
  test::lab_server lab;
  http_client c(quick());
  response_record r = c.exchange(get(lab.url("/gzip")));
  EXPECT_EQ(r.fields.find("Content-Encoding"), "gzip");
  ASSERT_GE(r.body.size(), 2u);
  EXPECT_EQ(r.body.substr(0, 2), "\x1f\x8b");
}

TEST(HttpClient, RangedDownloadIntoASink) {
  test::lab_server lab;
  http_client c(quick());
  request_spec r = get(lab.url("/range/100"));
  r.fields.add("Range", "bytes=10-19");
  test::recording_sink sink;
  response_record head = c.exchange(r, &sink);
  EXPECT_EQ(head.status, 206);
  EXPECT_EQ(head.fields.find("Content-Range"), "bytes 10-19/100");
  EXPECT_EQ(head.body, "") << "the sink took the content";
  EXPECT_EQ(head.content_octets, 10u);
  EXPECT_EQ(sink.statuses, std::vector<int>{206});
  EXPECT_EQ(sink.content, "klmnopqrst");
}

TEST(HttpClient, SinkThatRefusesStopsTheExchange) {
  struct refusing final : content_sink {
    bool begin(const response_record&) override { return true; }
    bool write(std::string_view) override { return false; }
  } sink;
  test::lab_server lab;
  http_client c(quick());
  auto f = failure_of(c, get(lab.url("/bytes/100")), &sink);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->what_kind(), failure::kind::sink);
}

// ----- timeouts and connection failures ----------------------------------------------------------

TEST(HttpClient, HeaderTimeout) {
  test::lab_server lab;
  client_options o = quick();
  o.header_timeout = 300ms;
  http_client c(o);
  const auto start = std::chrono::steady_clock::now();
  auto f = failure_of(c, get(lab.url("/timeout?seconds=2")));
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(f);
  EXPECT_EQ(f->what_kind(), failure::kind::timeout) << f->what();
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 1900ms) << "the head would have ended after 2 s";
}

TEST(HttpClient, ConnectFailureToAClosedPort) {
  const unsigned short port = test::free_port();
  http_client c(quick());
  auto f = failure_of(c, get("http://127.0.0.1:" + std::to_string(port) + "/"));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->what_kind(), failure::kind::connect) << f->what();
  EXPECT_TRUE(f->before_request());
  EXPECT_THAT(f->what(), HasSubstr(std::to_string(port)));
}

TEST(HttpClient, ServerThatClosesWithoutAnsweringIsAFailure) {
  raw_server s({[](peer& p) {
    p.read_request();
    p.close();
  }});
  http_client c(quick());
  auto f = failure_of(c, get(s.url("/")));
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->before_request());
  EXPECT_EQ(f->what_kind(), failure::kind::incomplete) << f->what();
}

TEST(HttpClient, TotalTimeoutBoundsContentThatKeepsTrickling) {
  // /drip sends an octet every 0.5 s: no stall reaches header_timeout, the whole exchange
  // passes total_timeout.
  test::lab_server lab;
  client_options o = quick();
  o.total_timeout = 700ms;
  http_client c(o);
  const auto start = std::chrono::steady_clock::now();
  auto f = failure_of(c, get(lab.url("/drip?duration=2&numbytes=5")));
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(f);
  EXPECT_EQ(f->what_kind(), failure::kind::timeout) << f->what();
  EXPECT_GE(took, 650ms);
  EXPECT_LT(took, 1900ms) << "the drip would have ended after 2 s";
}

TEST(HttpClient, TotalTimeoutBoundsTheHead) {
  test::lab_server lab;
  client_options o = quick();
  o.total_timeout = 300ms;
  http_client c(o);
  const auto start = std::chrono::steady_clock::now();
  auto f = failure_of(c, get(lab.url("/timeout?seconds=1")));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->what_kind(), failure::kind::timeout) << f->what();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 950ms) << "the head would have ended after 1 s";
}

TEST(HttpClient, TotalTimeoutLeavesAQuickExchangeAlone) {
  test::lab_server lab;
  client_options o = quick();
  o.total_timeout = 2s;
  http_client c(o);
  EXPECT_EQ(c.exchange(get(lab.url("/drip?duration=0.2&numbytes=3"))).body, "***");
}

TEST(HttpClient, ChunkedWinsOverContentLengthAndTheConnectionIsNotReused) {
  // RFC 9112 §6.3 rule 3: Transfer-Encoding overrides Content-Length, and the connection
  // must be closed after the response.
  raw_server s({answer("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "5\r\nhello\r\n0\r\n\r\n"),
                answer("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx")});
  http_client c(quick());
  EXPECT_EQ(c.exchange(get(s.url("/a"))).body, "hello");
  response_record b = c.exchange(get(s.url("/b")));
  EXPECT_EQ(b.body, "x");
  EXPECT_FALSE(b.reused_connection);
  EXPECT_EQ(s.connections(), 2u);
}

// ----- Expect ------------------------------------------------------------------------------------

TEST(HttpClient, ExpectContinueSendsContentAfter100) {
  test::lab_server lab;
  client_options o = quick();
  o.expect_threshold = 4;
  http_client c(o);
  request_spec post = get(lab.url("/expect"));
  post.method = "POST";
  post.body = "hello world";
  response_record r = c.exchange(post);
  EXPECT_EQ(r.status, 200);
  ASSERT_EQ(r.interim.size(), 1u);
  EXPECT_EQ(r.interim[0].status, 100);
  EXPECT_TRUE(r.content_sent);
  json j = json_of(r);
  EXPECT_EQ(j["expect"], "100-continue");
  EXPECT_EQ(j["received"], 11);
}

TEST(HttpClient, ExpectationRefusedEndsWithoutTheContent) {
  test::lab_server lab;
  client_options o = quick();
  o.expect_threshold = 4;
  http_client c(o);
  request_spec post = get(lab.url("/expect?answer=417"));
  post.method = "POST";
  post.body = "hello world";
  response_record r = c.exchange(post);
  EXPECT_EQ(r.status, 417);
  EXPECT_FALSE(r.content_sent);
  EXPECT_TRUE(r.interim.empty());
  // The connection is not reused: the next exchange connects again.
  response_record next = c.exchange(get(lab.url("/get")));
  EXPECT_FALSE(next.reused_connection);
}

TEST(HttpClient, SilenceAfterExpectSendsTheContentAfterTheTimeout) {
  test::lab_server lab;
  client_options o = quick();
  o.expect_threshold = 4;
  o.expect_timeout = 200ms;
  http_client c(o);
  request_spec post = get(lab.url("/expect?answer=silence"));
  post.method = "POST";
  post.body = "hello world";
  const auto start = std::chrono::steady_clock::now();
  response_record r = c.exchange(post);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.content_sent);
  EXPECT_TRUE(r.interim.empty());
  EXPECT_EQ(json_of(r)["received"], 11);
  EXPECT_GE(took, 190ms);
  EXPECT_LT(took, 1500ms);
}

TEST(HttpClient, UserExpectBelowTheThresholdIsHonoured) {
  std::string content;
  bool waited = false;
  raw_server s({[&](peer& p) {
    // The head alone arrives first; the content only after 100 Continue.
    if (!p.read_head()) return;
    waited = p.stays_quiet(100ms);
    p.send("HTTP/1.1 100 Continue\r\n\r\n");
    content = p.read_exactly(3, 1s);
    p.send("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  }});
  client_options o = quick();
  o.expect_timeout = 1s;
  http_client c(o);
  request_spec put = get(s.url("/"));
  put.method = "PUT";
  put.body = "abc";
  put.fields.add("Expect", "100-continue");
  response_record r = c.exchange(put);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.content_sent);
  ASSERT_TRUE(s.finished());
  EXPECT_TRUE(waited) << "the content must wait for 100";
  EXPECT_EQ(content, "abc");
  auto sent = s.requests();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(test::field_of(sent[0], "Expect"), "100-continue");
  EXPECT_EQ(test::field_of(sent[0], "Content-Length"), "3");
}

TEST(HttpClient, MayExpectFalseRemovesTheUsersExpect) {
  raw_server s({answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")});
  http_client c(quick());
  request_spec post = get(s.url("/"));
  post.method = "POST";
  post.body = "abc";
  post.fields.add("Expect", "100-continue");
  post.may_expect = false;
  c.exchange(post);
  const std::string sent = s.requests().at(0);
  EXPECT_EQ(test::field_of(sent, "Expect"), "");
  EXPECT_TRUE(sent.ends_with("\r\n\r\nabc"));
}

// ----- parallel exchanges ------------------------------------------------------------------------

TEST(HttpClient, ExchangeAllRunsEachOnItsOwnConnection) {
  test::lab_server lab;
  http_client c(quick());
  std::vector<request_spec> requests;
  test::recording_sink sinks[3];
  std::vector<content_sink*> pointers;
  for (int i = 0; i < 3; ++i) {
    request_spec r = get(lab.url("/range/30"));
    r.fields.add("Range", "bytes=" + std::to_string(i * 10) + "-" + std::to_string(i * 10 + 9));
    requests.push_back(r);
    pointers.push_back(&sinks[i]);
  }
  requests.push_back(get("http://127.0.0.1:" + std::to_string(test::free_port()) + "/"));
  pointers.push_back(nullptr);
  auto results = c.exchange_all(requests, pointers);
  ASSERT_EQ(results.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(results[i].response) << i;
    EXPECT_EQ(results[i].response->status, 206);
    EXPECT_EQ(sinks[i].content, std::string("abcdefghijklmnopqrstuvwxyzabcd").substr(i * 10, 10));
  }
  ASSERT_TRUE(results[3].error);
  EXPECT_EQ(results[3].error->what_kind(), failure::kind::connect);
}

}  // namespace
}  // namespace herald::client
