// The statuses the protocol decides before a handler is asked (src/server/protocol.cpp): as pure
// functions over parsed heads, and end to end over a loopback connection.

#include "server/protocol.hpp"

#include <atomic>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "support/raw_client.hpp"
#include "support/test_cases.hpp"

namespace herald::server {
namespace {

using namespace std::chrono_literals;
using test::PrintTo;
using test::raw_client;
using test::raw_request;

// A head parsed from text that this object keeps (the head's views point into it).
class parsed_head {
 public:
  explicit parsed_head(std::string text) : text_(std::move(text)) {
    http1::parse_result r = parser_.parse(text_);
    EXPECT_EQ(r.state, http1::parse_state::complete) << text_;
  }
  parsed_head(const parsed_head&) = delete;
  parsed_head& operator=(const parsed_head&) = delete;
  const http1::request_head& head() const { return parser_.head(); }

 private:
  std::string text_;
  http1::request_parser parser_;
};

struct protocol_case {
  std::string name;
  std::string request;
  bool draining = false;
  bool secure = false;
  bool strict_host = false;
  std::vector<std::string> server_names;
  int status = 0;  // 0: no protocol response, the handler is asked
  std::string reason;
  bool closes = false;
};

class ProtocolResponse : public testing::TestWithParam<protocol_case> {};

TEST_P(ProtocolResponse, IsAsTheRfcSays) {
  const protocol_case& c = GetParam();
  options opts = test::test_options();
  opts.strict_host = c.strict_host;
  opts.server_names = c.server_names;
  parsed_head parsed(c.request);
  protocol_context context{opts, c.secure, c.draining, "GET, HEAD, OPTIONS"};
  std::optional<response> r = protocol_response(parsed.head(), context);
  if (c.status == 0) {
    EXPECT_FALSE(r.has_value()) << "answered " << r->status;
    return;
  }
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, c.status);
  EXPECT_EQ(r->reason_token, c.reason);
  EXPECT_EQ(r->close, c.closes);
  if (c.status == 503) {
    EXPECT_EQ(r->fields.find("Retry-After"), "7");
  }
  if (c.status == 204) {
    EXPECT_EQ(r->fields.find("Allow"), "GET, HEAD, OPTIONS");
    EXPECT_TRUE(r->body.empty());
  } else {
    EXPECT_FALSE(r->body.empty()) << "an error explains itself";
  }
}

std::string get(std::string_view target, std::string_view host = "www.example") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: " + std::string(host) + "\r\n\r\n";
}

// Flags: draining, secure, strict_host; then the names served, the status (0: none), the reason
// token and whether the connection closes.
INSTANTIATE_TEST_SUITE_P(
    Cases, ProtocolResponse,
    testing::Values(
        protocol_case{"PlainGet", get("/"), false, false, false, {}, 0, "", false},
        protocol_case{"Draining", get("/"), true, false, false, {}, 503, "draining", true},
        protocol_case{"DrainingComesFirst",
                      "BREW / HTTP/1.1\r\nHost: a\r\n\r\n",
                      true,
                      false,
                      false,
                      {},
                      503,
                      "draining",
                      true},
        protocol_case{"HttpsTargetOnCleartext",
                      get("https://www.example/"),
                      false,
                      false,
                      false,
                      {},
                      421,
                      "https-on-cleartext",
                      false},
        protocol_case{
            "HttpsTargetOnTls", get("https://www.example/"), false, true, false, {}, 0, "", false},
        protocol_case{
            "HttpTarget", get("http://www.example/"), false, false, false, {}, 0, "", false},
        protocol_case{"StrictHostOtherName",
                      get("/", "other.example"),
                      false,
                      false,
                      true,
                      {"www.example"},
                      421,
                      "misdirected-host",
                      false},
        protocol_case{"StrictHostServedName",
                      get("/", "www.example"),
                      false,
                      false,
                      true,
                      {"www.example"},
                      0,
                      "",
                      false},
        protocol_case{"StrictHostServedNameWithPort",
                      get("/", "www.example:8080"),
                      false,
                      false,
                      true,
                      {"www.example"},
                      0,
                      "",
                      false},
        protocol_case{"StrictHostNameCaseInsensitive",
                      get("/", "WWW.Example"),
                      false,
                      false,
                      true,
                      {"www.example"},
                      0,
                      "",
                      false},
        protocol_case{"StrictHostAbsoluteFormAuthorityWins",
                      get("http://other.example/", "www.example"),
                      false,
                      false,
                      true,
                      {"www.example"},
                      421,
                      "misdirected-host",
                      false},
        protocol_case{"StrictHostWithoutNamesServesAny",
                      get("/", "any.example"),
                      false,
                      false,
                      true,
                      {},
                      0,
                      "",
                      false},
        protocol_case{"NamesWithoutStrictHostServeAny",
                      get("/", "other.example"),
                      false,
                      false,
                      false,
                      {"www.example"},
                      0,
                      "",
                      false},
        protocol_case{"UnknownMethod",
                      "BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n",
                      false,
                      false,
                      false,
                      {},
                      501,
                      "unknown-method",
                      false},
        protocol_case{"UnknownExpectation",
                      "GET / HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\n\r\n",
                      false,
                      false,
                      false,
                      {},
                      417,
                      "unknown-expectation",
                      false},
        protocol_case{"UnknownExpectationWithContent",
                      "POST / HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\nContent-Length: 3\r\n\r\n",
                      false,
                      false,
                      false,
                      {},
                      417,
                      "unknown-expectation",
                      true},
        protocol_case{
            "ContinueExpectation",
            "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n",
            false,
            false,
            false,
            {},
            0,
            "",
            false},
        // RFC 9110 §10.1.1: "The Expect field value is case-insensitive."
        protocol_case{
            "ContinueExpectationAnyCase",
            "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n",
            false,
            false,
            false,
            {},
            0,
            "",
            false},
        protocol_case{"OptionsAsterisk",
                      "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
                      false,
                      false,
                      false,
                      {},
                      204,
                      "",
                      false}),
    test::case_name);

struct continue_case {
  std::string name;
  std::string request;
  bool expected;
};

class WantsContinue : public testing::TestWithParam<continue_case> {};

TEST_P(WantsContinue, OnlyForHttp11AndTheContinueExpectation) {
  parsed_head parsed(GetParam().request);
  EXPECT_EQ(wants_continue(parsed.head()), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, WantsContinue,
    testing::Values(
        continue_case{"Http11", "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n", true},
        continue_case{"AnyCase", "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-CONTINUE\r\n\r\n",
                      true},
        continue_case{"Http10", "POST / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n", false},
        continue_case{"NoExpect", "POST / HTTP/1.1\r\nHost: a\r\n\r\n", false},
        continue_case{"OtherExpectation", "POST / HTTP/1.1\r\nHost: a\r\nExpect: x\r\n\r\n",
                      false}),
    test::case_name);

TEST(DeniedPath, MatchesPrefixesOfThePath) {
  options opts = test::test_options();
  opts.deny_paths = {"/private", "/.git"};
  EXPECT_TRUE(denied_path(parsed_head(get("/private")).head(), opts));
  EXPECT_TRUE(denied_path(parsed_head(get("/private/key?x=1")).head(), opts));
  EXPECT_TRUE(denied_path(parsed_head(get("/.git/config")).head(), opts));
  EXPECT_FALSE(denied_path(parsed_head(get("/public/private")).head(), opts));
  EXPECT_FALSE(denied_path(parsed_head(get("/")).head(), opts));
  opts.deny_paths.clear();
  EXPECT_FALSE(denied_path(parsed_head(get("/private")).head(), opts));
}

TEST(RejectionResponse, FollowsTheErrorTableForEveryError) {
  for (int i = 0; i <= static_cast<int>(http1::error::incomplete_body); ++i) {
    const auto e = static_cast<http1::error>(i);
    const http1::error_info& info = http1::info(e);
    response r = rejection_response(e, std::nullopt);
    SCOPED_TRACE(std::string(info.token));
    EXPECT_EQ(r.status, core::to_int(info.status));
    EXPECT_EQ(r.close, info.close);
    EXPECT_EQ(r.reason_token, info.token);
    EXPECT_EQ(r.fields.find("Content-Type"), "application/problem+json");
  }
}

TEST(RejectionResponse, BodyFollowsAccept) {
  response r = rejection_response(http1::error::obs_fold, "text/plain");
  EXPECT_EQ(r.fields.find("Content-Type"), "text/plain; charset=utf-8");
}

// ----- end to end ------------------------------------------------------------------------------

class counting_handler : public handler {
 public:
  std::atomic<int> handled{0};
  content_decision prepare(const request&) override { return content_decision::accept(1024); }
  response handle(request& r) override {
    ++handled;
    response ok(200);
    ok.set_text(std::string(r.head.target) + "\n");
    return ok;
  }
  std::string_view server_allow() const override { return "GET, HEAD, POST, OPTIONS"; }
};

class Protocol : public testing::Test {
 protected:
  void start() { server_.emplace(opts_, handler_); }
  raw_client connect() { return server_->connect(); }

  counting_handler handler_;
  options opts_ = test::test_options();
  std::optional<test::running_server> server_;
};

TEST_F(Protocol, HttpsTargetOnCleartextAnswers421AndTheConnectionServesOn) {
  start();
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("GET", "https://test.local/secret")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 421);
  EXPECT_EQ(r->reason, "Misdirected Request");
  EXPECT_TRUE(r->has("Date"));
  EXPECT_EQ(r->field("Content-Type"), "application/problem+json");
  nlohmann::json problem = nlohmann::json::parse(r->body);
  EXPECT_EQ(problem["reason"], "https-on-cleartext");
  EXPECT_FALSE(r->has_token("Connection", "close"));
  EXPECT_EQ(handler_.handled.load(), 0);
  ASSERT_TRUE(c.send(raw_request("GET", "/next")));
  auto next = c.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST_F(Protocol, HeadOfAnHttpsTargetAnswers421WithoutContent) {
  start();
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("HEAD", "https://test.local/") + raw_request("GET", "/next")));
  auto r = c.read_response("HEAD");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 421);
  EXPECT_TRUE(r->has("Content-Length"));
  auto next = c.read_response();
  ASSERT_TRUE(next) << "content after a HEAD response would break this one";
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->body, "/next\n");
}

TEST_F(Protocol, StrictHostAnswers421ForAnotherNameAndServesItsOwn) {
  opts_.strict_host = true;
  opts_.server_names = {"www.example", "test.local"};
  start();
  raw_client c = connect();
  ASSERT_TRUE(c.send("GET / HTTP/1.1\r\nHost: evil.example\r\nAccept: text/plain\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 421);
  EXPECT_EQ(r->field("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_NE(r->body.find("evil.example"), std::string::npos) << r->body;
  EXPECT_FALSE(r->has_token("Connection", "close"));
  ASSERT_TRUE(c.send("GET /mine HTTP/1.1\r\nHost: WWW.example:8080\r\n\r\n"));
  auto mine = c.read_response();
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->status, 200);
  EXPECT_EQ(handler_.handled.load(), 1);
}

TEST_F(Protocol, OptionsAsteriskAnswers204WithTheServerWideAllow) {
  start();
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("OPTIONS", "*")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->field("Allow"), "GET, HEAD, POST, OPTIONS");
  // RFC 9110 §8.6: no Content-Length in a 204.
  EXPECT_FALSE(r->has("Content-Length"));
  EXPECT_FALSE(r->has("Transfer-Encoding"));
  EXPECT_EQ(r->body, "");
  EXPECT_TRUE(r->has("Date"));
  EXPECT_EQ(handler_.handled.load(), 0);
  ASSERT_TRUE(c.send(raw_request("GET", "/next")));
  auto next = c.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST_F(Protocol, AsteriskFormForAnotherMethodIsRejected) {
  start();
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("GET", "*")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(nlohmann::json::parse(r->body)["reason"], "target-form-mismatch");
  EXPECT_TRUE(c.wait_closed(2s));
}

}  // namespace
}  // namespace herald::server
