// The HTTP/1.1 serializer: response and request heads byte for byte, the framing it chooses
// (RFC 9112 §6), the chunk-size line, the Date cache, and a round trip through the parser.

#include <array>
#include <chrono>
#include <cstdint>
#include <gtest/gtest.h>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <herald/core/fields.hpp>
#include <herald/core/http_date.hpp>
#include <herald/http1/parser.hpp>
#include <herald/http1/serializer.hpp>

namespace herald::http1 {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view imf_date = "Sun, 06 Nov 1994 08:49:37 GMT";

core::fields make_fields(
    std::initializer_list<std::pair<std::string_view, std::string_view>> list) {
  core::fields f;
  for (const auto& [name, value] : list) EXPECT_TRUE(f.add(name, value)) << name << ": " << value;
  return f;
}

std::string_view framing_name(body_framing f) {
  switch (f) {
    case body_framing::none:
      return "none";
    case body_framing::content_length:
      return "content_length";
    case body_framing::chunked:
      return "chunked";
    case body_framing::until_close:
      return "until_close";
    case body_framing::tunnel:
      return "tunnel";
  }
  return "?";
}

struct serialized {
  serialized_head head;
  std::string bytes;
};

serialized response(int status, const core::fields& fields, content_size content,
                    const response_options& options = {}) {
  serialized s;
  s.head = serialize_response_head(status, fields, content, options, s.bytes);
  return s;
}

response_options http10_peer(bool keep_alive) {
  response_options o;
  o.peer_version_minor = 0;
  o.keep_alive = keep_alive;
  return o;
}

// ----- response heads, byte for byte --------------------------------------------------------

TEST(ResponseHead, KnownSizeGetsContentLength_RFC9112_6_2) {
  serialized s =
      response(200, make_fields({{"Content-Type", "text/plain"}}), content_size::known(5));
  ASSERT_FALSE(s.head.failure);
  EXPECT_EQ(s.bytes, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n");
  EXPECT_EQ(s.head.framing, body_framing::content_length);
  EXPECT_TRUE(s.head.keep_alive);
}

TEST(ResponseHead, StatusLineTakesTheRegistryPhrase_RFC9112_4) {
  EXPECT_EQ(response(404, {}, content_size::known(0)).bytes,
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(response(418, {}, content_size::known(0)).bytes,
            "HTTP/1.1 418 I'm a teapot\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(response(503, {}, content_size::known(0)).bytes,
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
}

TEST(ResponseHead, UnknownCodeGetsAnEmptyPhrase_RFC9112_4) {
  serialized s = response(299, {}, content_size::known(0));
  ASSERT_FALSE(s.head.failure);
  EXPECT_EQ(s.bytes, "HTTP/1.1 299 \r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(response(999, {}, content_size::known(0)).bytes.substr(0, 15), "HTTP/1.1 999 \r\n");
}

TEST(ResponseHead, DateAndServerComeFirstOnFinalResponses_RFC9110_6_6_1) {
  response_options o;
  o.date = imf_date;
  o.server = "herald/0.1";
  serialized s =
      response(200, make_fields({{"Content-Type", "text/html"}}), content_size::known(12), o);
  EXPECT_EQ(s.bytes,
            "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nServer: herald/0.1\r\n"
            "Content-Type: text/html\r\nContent-Length: 12\r\n\r\n");
}

TEST(ResponseHead, UnknownSizeIsChunkedFor11Peers_RFC9112_7_1) {
  serialized s = response(200, {}, content_size::unknown());
  ASSERT_FALSE(s.head.failure);
  EXPECT_EQ(s.bytes, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
  EXPECT_EQ(s.head.framing, body_framing::chunked);
  EXPECT_TRUE(s.head.keep_alive);
}

TEST(ResponseHead, UnknownSizeIsCloseDelimitedFor10Peers_RFC9112_6_3) {
  serialized s = response(200, {}, content_size::unknown(), http10_peer(true));
  ASSERT_FALSE(s.head.failure);
  EXPECT_EQ(s.bytes, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(s.head.framing, body_framing::until_close);
  EXPECT_FALSE(s.head.keep_alive);
}

TEST(ResponseHead, Http10PeersThatKeepAliveAreToldSo_RFC9112_9_3) {
  serialized s = response(200, {}, content_size::known(3), http10_peer(true));
  EXPECT_EQ(s.bytes, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_TRUE(s.head.keep_alive);
  s = response(200, {}, content_size::known(3), http10_peer(false));
  EXPECT_EQ(s.bytes, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\n");
  EXPECT_FALSE(s.head.keep_alive);
}

TEST(ResponseHead, ClosingIsAnnounced_RFC9112_9_6) {
  response_options o;
  o.keep_alive = false;
  serialized s = response(500, {}, content_size::known(0), o);
  EXPECT_EQ(s.bytes,
            "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  EXPECT_FALSE(s.head.keep_alive);
}

TEST(ResponseHead, NoContentOnA200IsContentLengthZero) {
  serialized s = response(200, {}, content_size::empty());
  EXPECT_EQ(s.bytes, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(s.head.framing, body_framing::none);
}

TEST(ResponseHead, HeadKeepsTheFramingFieldsButSendsNothing_RFC9110_9_3_2) {
  response_options o;
  o.head_request = true;
  serialized s = response(200, {}, content_size::known(1234), o);
  EXPECT_EQ(s.bytes, "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n");
  EXPECT_EQ(s.head.framing, body_framing::none);
  EXPECT_TRUE(s.head.keep_alive);

  s = response(200, {}, content_size::unknown(), o);
  EXPECT_EQ(s.bytes, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
  EXPECT_EQ(s.head.framing, body_framing::none);
}

TEST(ResponseHead, InterimResponsesHaveNoFramingDateOrServer_RFC9110_15_2) {
  response_options o;
  o.date = imf_date;
  o.server = "herald";
  serialized s = response(100, {}, content_size::empty(), o);
  ASSERT_FALSE(s.head.failure);
  EXPECT_EQ(s.bytes, "HTTP/1.1 100 Continue\r\n\r\n");
  EXPECT_EQ(s.head.framing, body_framing::none);

  s = response(103, make_fields({{"Link", "</style.css>; rel=preload; as=style"}}),
               content_size::empty(), o);
  EXPECT_EQ(s.bytes,
            "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n\r\n");

  s = response(101, make_fields({{"Connection", "upgrade"}, {"Upgrade", "websocket"}}),
               content_size::empty(), o);
  EXPECT_EQ(
      s.bytes,
      "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n");
}

TEST(ResponseHead, NoContentStatusesHaveNoFraming_RFC9110_6_4_1) {
  response_options o;
  o.date = imf_date;
  serialized s = response(204, {}, content_size::empty(), o);
  ASSERT_FALSE(s.head.failure);
  EXPECT_EQ(s.bytes, "HTTP/1.1 204 No Content\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n");
  EXPECT_EQ(s.head.framing, body_framing::none);

  s = response(304, make_fields({{"ETag", "\"v1\""}}), content_size::empty(), o);
  ASSERT_FALSE(s.head.failure);
  EXPECT_EQ(
      s.bytes,
      "HTTP/1.1 304 Not Modified\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nETag: \"v1\"\r\n\r\n");
  EXPECT_EQ(s.head.framing, body_framing::none);
}

TEST(ResponseHead, NotModifiedMayCarryTheRepresentationsContentLength_RFC9110_8_6) {
  // "A server MAY send a Content-Length header field in a 304 (Not Modified) response to a
  // conditional GET request" when it equals the length a 200 would have had.
  serialized s = response(304, make_fields({{"Content-Length", "1234"}}), content_size::empty());
  ASSERT_FALSE(s.head.failure) << describe(*s.head.failure);
  EXPECT_EQ(s.bytes, "HTTP/1.1 304 Not Modified\r\nContent-Length: 1234\r\n\r\n");
  EXPECT_EQ(s.head.framing, body_framing::none);
}

// ----- refusals -------------------------------------------------------------------------------

struct refusal_case {
  std::string name;
  int status;
  std::vector<std::pair<std::string, std::string>> fields;
  content_size content;
  serialize_error expected;
};

std::ostream& operator<<(std::ostream& os, const refusal_case& c) {
  return os << c.name;
}

class ResponseRefusals : public testing::TestWithParam<refusal_case> {};

TEST_P(ResponseRefusals, FailAndLeaveOutUnchanged) {
  const refusal_case& c = GetParam();
  core::fields f;
  for (const auto& [name, value] : c.fields) ASSERT_TRUE(f.add(name, value));
  std::string out = "previous response bytes";
  serialized_head h = serialize_response_head(c.status, f, c.content, {}, out);
  ASSERT_TRUE(h.failure) << "serialized " << testing::PrintToString(out);
  EXPECT_EQ(*h.failure, c.expected) << describe(*h.failure);
  EXPECT_FALSE(describe(*h.failure).empty());
  EXPECT_EQ(out, "previous response bytes");
}

INSTANTIATE_TEST_SUITE_P(
    Rfc9110, ResponseRefusals,
    testing::Values(
        refusal_case{
            "StatusBelow100", 99, {}, content_size::empty(), serialize_error::invalid_status},
        refusal_case{
            "StatusAbove999", 1000, {}, content_size::empty(), serialize_error::invalid_status},
        refusal_case{
            "NegativeStatus", -200, {}, content_size::empty(), serialize_error::invalid_status},
        refusal_case{
            "ContentOn100", 100, {}, content_size::known(1), serialize_error::content_forbidden},
        refusal_case{"UnknownContentOn103",
                     103,
                     {},
                     content_size::unknown(),
                     serialize_error::content_forbidden},
        refusal_case{
            "ContentOn204", 204, {}, content_size::known(10), serialize_error::content_forbidden},
        refusal_case{"UnknownContentOn204",
                     204,
                     {},
                     content_size::unknown(),
                     serialize_error::content_forbidden},
        refusal_case{
            "ContentOn304", 304, {}, content_size::known(10), serialize_error::content_forbidden},
        refusal_case{"UnknownContentOn304",
                     304,
                     {},
                     content_size::unknown(),
                     serialize_error::content_forbidden},
        refusal_case{"ContentOn205_RFC9110_15_3_6",
                     205,
                     {},
                     content_size::known(5),
                     serialize_error::content_forbidden},
        refusal_case{"ContentLengthOn100_RFC9110_8_6",
                     100,
                     {{"Content-Length", "0"}},
                     content_size::empty(),
                     serialize_error::content_length_forbidden},
        refusal_case{"ContentLengthOn101",
                     101,
                     {{"Content-Length", "0"}},
                     content_size::empty(),
                     serialize_error::content_length_forbidden},
        refusal_case{"ContentLengthOn204_RFC9110_8_6",
                     204,
                     {{"content-length", "0"}},
                     content_size::empty(),
                     serialize_error::content_length_forbidden},
        refusal_case{"CallersTransferEncoding",
                     200,
                     {{"Transfer-Encoding", "chunked"}},
                     content_size::unknown(),
                     serialize_error::framing_field_set},
        refusal_case{"CallersTransferEncodingAfterOtherFields",
                     200,
                     {{"Content-Type", "text/plain"}, {"transfer-encoding", "gzip"}},
                     content_size::known(3),
                     serialize_error::framing_field_set},
        refusal_case{"ContentLengthDisagrees",
                     200,
                     {{"Content-Length", "6"}},
                     content_size::known(5),
                     serialize_error::content_length_mismatch},
        refusal_case{"ContentLengthWithUnknownSize",
                     200,
                     {{"Content-Length", "5"}},
                     content_size::unknown(),
                     serialize_error::content_length_mismatch},
        refusal_case{"ContentLengthOnNoContent",
                     200,
                     {{"Content-Length", "5"}},
                     content_size::empty(),
                     serialize_error::content_length_mismatch},
        refusal_case{"ContentLengthNotDecimal",
                     200,
                     {{"Content-Length", "0x5"}},
                     content_size::known(5),
                     serialize_error::content_length_mismatch},
        refusal_case{"ContentLengthAsList",
                     200,
                     {{"Content-Length", "5, 5"}},
                     content_size::known(5),
                     serialize_error::content_length_mismatch},
        refusal_case{"ContentLengthRepeatedWithAnotherValue",
                     200,
                     {{"Content-Length", "5"}, {"Content-Length", "7"}},
                     content_size::known(5),
                     serialize_error::content_length_mismatch},
        refusal_case{"EmptyContentLength",
                     200,
                     {{"Content-Length", ""}},
                     content_size::empty(),
                     serialize_error::content_length_mismatch},
        refusal_case{"ContentLengthThatWrapsTo5",
                     200,
                     {{"Content-Length", "18446744073709551621"}},  // 2^64 + 5
                     content_size::known(5),
                     serialize_error::content_length_mismatch}),
    [](const testing::TestParamInfo<refusal_case>& i) { return i.param.name; });

TEST(ResponseHead, CallersMatchingContentLengthIsKeptOnce) {
  serialized s =
      response(200, make_fields({{"Content-Length", "5"}, {"X-A", "b"}}), content_size::known(5));
  ASSERT_FALSE(s.head.failure);
  EXPECT_EQ(s.bytes, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\n");
  EXPECT_EQ(s.head.framing, body_framing::content_length);
}

TEST(ResponseHead, AppendsToWhatOutAlreadyHolds) {
  std::string out = "HTTP/1.1 100 Continue\r\n\r\n";
  serialized_head h = serialize_response_head(200, {}, content_size::known(2), {}, out);
  ASSERT_FALSE(h.failure);
  EXPECT_EQ(out, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n");
}

TEST(ResponseHead, CallersConnectionCloseMeansTheConnectionCloses_RFC9112_9_6) {
  // A server that sends "Connection: close" must close after the response; the serializer
  // must not report a persistent connection while the wire says otherwise.
  serialized s = response(200, make_fields({{"Connection", "close"}}), content_size::known(0));
  ASSERT_FALSE(s.head.failure);
  response_parser parser;
  ASSERT_EQ(parser.parse(s.bytes, "GET").state, parse_state::complete);
  EXPECT_FALSE(parser.head().keep_alive);
  EXPECT_EQ(s.head.keep_alive, parser.head().keep_alive) << s.bytes;
}

// ----- nothing invalid reaches the wire ------------------------------------------------------

TEST(WireSafety, FieldsRefuseLineBreaksSoCallersCannotInjectLines_RFC9110_5_5) {
  core::fields f;
  EXPECT_FALSE(f.add("X-User", "alice\r\nSet-Cookie: admin=1"));
  EXPECT_FALSE(f.add("X-User", "alice\nSet-Cookie: admin=1"));
  EXPECT_FALSE(f.add("X-User", "alice\rSet-Cookie: admin=1"));
  EXPECT_FALSE(f.add("X-User", std::string_view("a\0b", 3)));
  EXPECT_FALSE(f.add("X-User\r\nSet-Cookie", "admin=1"));
  EXPECT_FALSE(f.add("X User", "a"));
  EXPECT_FALSE(f.add("X-User:", "a"));
  EXPECT_FALSE(f.add("", "a"));
  EXPECT_FALSE(f.set("X-User", "a\r\n\r\n<html>"));
  EXPECT_TRUE(f.empty());
  ASSERT_TRUE(f.add("X-User", "alice"));

  serialized s = response(200, f, content_size::known(0));
  EXPECT_EQ(s.bytes, "HTTP/1.1 200 OK\r\nX-User: alice\r\nContent-Length: 0\r\n\r\n");
}

TEST(WireSafety, ServerAndDateOptionsCannotInjectLines) {
  // Date and Server bypass core::fields; a line break in either would split the response.
  response_options o;
  o.server = "herald\r\nSet-Cookie: admin=1";
  std::string out = "kept";
  serialized_head h = serialize_response_head(200, {}, content_size::known(0), o, out);
  EXPECT_TRUE(h.failure.has_value()) << testing::PrintToString(out);
  EXPECT_EQ(out, "kept");

  o = {};
  o.date = "Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n<script>";
  out = "kept";
  h = serialize_response_head(200, {}, content_size::known(0), o, out);
  EXPECT_TRUE(h.failure.has_value()) << testing::PrintToString(out);
  EXPECT_EQ(out, "kept");
}

TEST(WireSafety, RequestLineAndHostCannotInjectLines) {
  struct attempt {
    std::string_view method, target, host;
  };
  for (const attempt& a : {attempt{"GET", "/ HTTP/1.1\r\nX-Injected: 1\r\n\r\nGET /", "a"},
                           attempt{"GET", "/a b", "a"}, attempt{"GET", "/", "a\r\nX-Injected: 1"},
                           attempt{"GET /x", "/", "a"}, attempt{"", "/", "a"}}) {
    std::string out = "kept";
    std::optional<serialize_error> e =
        serialize_request_head(a.method, a.target, a.host, {}, content_size::empty(), out);
    EXPECT_TRUE(e.has_value()) << testing::PrintToString(out);
    EXPECT_EQ(out, "kept") << testing::PrintToString(out);
  }
}

// ----- request heads --------------------------------------------------------------------------

TEST(RequestHead, HostComesFirst_RFC9110_7_2) {
  std::string out;
  ASSERT_FALSE(serialize_request_head("GET", "/index.html", "example.com:8080",
                                      make_fields({{"Accept", "*/*"}, {"User-Agent", "herald"}}),
                                      content_size::empty(), out));
  EXPECT_EQ(out,
            "GET /index.html HTTP/1.1\r\nHost: example.com:8080\r\nAccept: */*\r\n"
            "User-Agent: herald\r\n\r\n");
}

TEST(RequestHead, CallersHostIsReplacedNotRepeated_RFC9112_3_2) {
  std::string out;
  ASSERT_FALSE(serialize_request_head("GET", "/", "example.com",
                                      make_fields({{"Accept", "*/*"}, {"host", "other.example"}}),
                                      content_size::empty(), out));
  EXPECT_EQ(out, "GET / HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n");
}

TEST(RequestHead, KnownContentGetsContentLength_RFC9112_6_2) {
  std::string out;
  ASSERT_FALSE(serialize_request_head("POST", "/api", "a",
                                      make_fields({{"Content-Type", "application/json"}}),
                                      content_size::known(13), out));
  EXPECT_EQ(out,
            "POST /api HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
            "Content-Length: 13\r\n\r\n");
}

TEST(RequestHead, UnknownContentIsChunked_RFC9112_7_1) {
  std::string out;
  ASSERT_FALSE(serialize_request_head("PUT", "/file", "a", {}, content_size::unknown(), out));
  EXPECT_EQ(out, "PUT /file HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
}

TEST(RequestHead, EmptyPostSaysContentLengthZero_RFC9110_8_6) {
  for (std::string_view method : {"POST", "PUT", "PATCH"}) {
    for (content_size empty : {content_size::known(0), content_size::empty()}) {
      std::string out;
      ASSERT_FALSE(serialize_request_head(method, "/", "a", {}, empty, out));
      EXPECT_EQ(out, std::string(method) + " / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n")
          << (empty.what == content_size::kind::none ? "content_size::empty()"
                                                     : "content_size::known(0)");
    }
  }
}

TEST(RequestHead, EmptyGetSaysNothingAboutContent_RFC9110_8_6) {
  for (content_size empty : {content_size::known(0), content_size::empty()}) {
    std::string out;
    ASSERT_FALSE(serialize_request_head("GET", "/", "a", {}, empty, out));
    EXPECT_EQ(out, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  }
}

TEST(RequestHead, CallersFramingFieldsAreCheckedAndRolledBack) {
  std::string out = "earlier";
  EXPECT_EQ(
      serialize_request_head("POST", "/", "a", make_fields({{"Transfer-Encoding", "chunked"}}),
                             content_size::unknown(), out),
      serialize_error::framing_field_set);
  EXPECT_EQ(out, "earlier");
  EXPECT_EQ(serialize_request_head("POST", "/", "a", make_fields({{"Content-Length", "4"}}),
                                   content_size::known(3), out),
            serialize_error::content_length_mismatch);
  EXPECT_EQ(out, "earlier");
  EXPECT_FALSE(serialize_request_head("POST", "/", "a", make_fields({{"Content-Length", "3"}}),
                                      content_size::known(3), out));
  EXPECT_EQ(out, "earlierPOST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n");
}

TEST(RequestHead, ParsesBackWithTheRequestParser) {
  struct example {
    std::string_view method;
    content_size content;
    body_framing framing;
    std::uint64_t length;
  };
  for (const example& e :
       {example{"GET", content_size::empty(), body_framing::none, 0},
        example{"POST", content_size::known(42), body_framing::content_length, 42},
        example{"PUT", content_size::unknown(), body_framing::chunked, 0},
        example{"DELETE", content_size::known(0), body_framing::none, 0}}) {
    std::string out;
    ASSERT_FALSE(serialize_request_head(e.method, "/p?q=1", "example.com",
                                        make_fields({{"Accept", "*/*"}}), e.content, out));
    request_parser parser;
    ASSERT_EQ(parser.parse(out).state, parse_state::complete) << out;
    EXPECT_EQ(parser.head().method, e.method);
    EXPECT_EQ(parser.head().path, "/p");
    EXPECT_EQ(parser.head().query, "q=1");
    EXPECT_EQ(parser.head().authority, "example.com");
    EXPECT_EQ(parser.head().framing, e.framing) << out;
    EXPECT_EQ(parser.head().content_length, e.length);
    EXPECT_EQ(parser.head().find("Accept"), "*/*");
  }
}

// ----- chunks ---------------------------------------------------------------------------------

TEST(ChunkHeader, IsLowercaseHexWithoutLeadingZeros_RFC9112_7_1) {
  std::array<char, 20> buffer;
  EXPECT_EQ(chunk_header(0, buffer), "0\r\n");
  EXPECT_EQ(chunk_header(1, buffer), "1\r\n");
  EXPECT_EQ(chunk_header(15, buffer), "f\r\n");
  EXPECT_EQ(chunk_header(16, buffer), "10\r\n");
  EXPECT_EQ(chunk_header(255, buffer), "ff\r\n");
  EXPECT_EQ(chunk_header(4096, buffer), "1000\r\n");
  EXPECT_EQ(chunk_header(UINT64_MAX, buffer), "ffffffffffffffff\r\n");
  std::string_view v = chunk_header(UINT64_MAX, buffer);
  EXPECT_GE(v.data(), buffer.data());
  EXPECT_LE(v.data() + v.size(), buffer.data() + buffer.size());
}

TEST(ChunkHeader, WhatTheSerializerFramesTheDecoderReads) {
  const std::vector<std::string> pieces = {"a", std::string(15, 'b'), std::string(16, 'c'),
                                           std::string(255, 'd'), "\r\n0\r\n\r\n"};
  std::string wire;
  std::array<char, 20> buffer;
  for (const std::string& piece : pieces) {
    wire += chunk_header(piece.size(), buffer);
    wire += piece;
    wire += chunk_end;
  }
  wire += last_chunk;
  body_decoder decoder;
  decoder.start(body_framing::chunked, 0);
  std::string content;
  std::string_view rest = wire;
  while (!decoder.done()) {
    body_decoder::result r = decoder.decode(rest);
    ASSERT_FALSE(r.failure) << token(*r.failure);
    ASSERT_TRUE(r.consumed > 0 || r.done);
    content.append(r.content);
    rest.remove_prefix(r.consumed);
  }
  EXPECT_TRUE(rest.empty());
  std::string expected;
  for (const std::string& piece : pieces) expected += piece;
  EXPECT_EQ(content, expected);
  EXPECT_EQ(chunk_end, "\r\n");
  EXPECT_EQ(last_chunk, "0\r\n\r\n");
}

// ----- Date -----------------------------------------------------------------------------------

TEST(DateCache, FormatsOncePerSecond_RFC9110_6_6_1) {
  const std::chrono::sys_seconds t{784111777s};  // Sun, 06 Nov 1994 08:49:37 GMT
  date_cache cache;
  std::string_view first = cache.at(t);
  EXPECT_EQ(first, imf_date);
  std::string_view again = cache.at(t);
  EXPECT_EQ(again, imf_date);
  EXPECT_EQ(again.data(), first.data());
  std::string_view next = cache.at(t + 1s);
  EXPECT_EQ(next, "Sun, 06 Nov 1994 08:49:38 GMT");
  EXPECT_EQ(cache.at(t + 86400s), "Mon, 07 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(cache.at(t), imf_date);
}

TEST(DateCache, NowIsAValidImfFixdate) {
  date_cache cache;
  std::string text(cache.now());
  EXPECT_EQ(text.size(), core::http_date_length);
  auto parsed = core::parse_http_date(text);
  ASSERT_TRUE(parsed) << text;
  auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  EXPECT_LE(*parsed, now);
  EXPECT_GE(*parsed, now - 5s);
}

// ----- round trip -----------------------------------------------------------------------------

// Every response the serializer emits parses back to the same status, fields and framing.
TEST(ResponseRoundTrip, WhatIsSerializedParsesBackTheSame) {
  const std::vector<int> statuses = {100, 101, 103, 200, 201, 202, 204, 205, 206, 299,
                                     301, 304, 400, 404, 418, 451, 500, 503, 599, 999};
  const std::vector<content_size> contents = {content_size::empty(), content_size::known(0),
                                              content_size::known(7), content_size::unknown()};
  const std::vector<std::vector<std::pair<std::string_view, std::string_view>>> field_sets = {
      {},
      {{"Content-Type", "text/plain; charset=utf-8"}},
      {{"Set-Cookie", "a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT"},
       {"Set-Cookie", "b=2"},
       {"Vary", "Accept-Encoding"},
       {"X-Empty", ""}},
  };
  int round_trips = 0;
  for (int status : statuses)
    for (const content_size& content : contents)
      for (int peer : {0, 1})
        for (bool head_request : {false, true})
          for (bool keep_alive : {true, false})
            for (const auto& set : field_sets) {
              core::fields f;
              for (const auto& [name, value] : set) ASSERT_TRUE(f.add(name, value));
              response_options o;
              o.head_request = head_request;
              o.peer_version_minor = peer;
              o.keep_alive = keep_alive;
              o.date = imf_date;
              o.server = "herald";
              std::string out;
              serialized_head h = serialize_response_head(status, f, content, o, out);
              if (h.failure) {
                EXPECT_TRUE(out.empty());
                continue;
              }
              ++round_trips;
              const std::string how = testing::PrintToString(out);
              response_parser parser;
              parse_result r = parser.parse(out, head_request ? "HEAD" : "GET");
              ASSERT_EQ(r.state, parse_state::complete) << how;
              EXPECT_EQ(r.consumed, out.size()) << how;
              const response_head& parsed = parser.head();
              EXPECT_EQ(parsed.status, status) << how;
              EXPECT_EQ(parsed.reason, core::find_status(status) ? core::find_status(status)->reason
                                                                 : std::string_view{})
                  << how;

              // The caller's fields, in order, among the serializer's own.
              std::vector<std::pair<std::string_view, std::string_view>> callers;
              for (const field_line& line : parsed.fields) {
                if (line.name == "Date") {
                  EXPECT_FALSE(parsed.interim() || status == 101) << how;
                  EXPECT_EQ(line.value, imf_date);
                } else if (line.name == "Server") {
                  EXPECT_EQ(line.value, "herald");
                } else if (line.name != "Content-Length" && line.name != "Transfer-Encoding" &&
                           line.name != "Connection") {
                  callers.emplace_back(line.name, line.value);
                }
              }
              EXPECT_EQ(callers, set) << how;
              const bool final_response = status >= 200;
              EXPECT_EQ(parsed.count("Date"), final_response ? 1u : 0u) << how;
              EXPECT_EQ(parsed.count("Server"), final_response ? 1u : 0u) << how;
              EXPECT_LE(parsed.count("Content-Length") + parsed.count("Transfer-Encoding"), 1u)
                  << how;

              // The framing the caller is told to use is the one the peer will read. A 101
              // (to anything but HEAD) ends HTTP on the connection: the parser calls that a
              // tunnel.
              body_framing expected =
                  status == 101 && !head_request ? body_framing::tunnel : h.framing;
              EXPECT_EQ(framing_name(parsed.framing), framing_name(expected)) << how;
              if (h.framing == body_framing::content_length) {
                EXPECT_EQ(parsed.content_length, content.length) << how;
              }
              if (final_response) {
                EXPECT_EQ(parsed.keep_alive, h.keep_alive) << how;
              }
            }
  EXPECT_GT(round_trips, 500);
}

}  // namespace
}  // namespace herald::http1
