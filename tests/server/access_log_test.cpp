// The access log (src/server/access_log.cpp): the line formats, and the lines a running server
// writes to a file for successes, wire errors (with their reason token) and denied requests.

#include "server/access_log.hpp"

#include <filesystem>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "support/raw_client.hpp"

namespace herald::server {
namespace {

using namespace std::chrono_literals;
using test::raw_request;
using testing::EndsWith;
using testing::HasSubstr;
using testing::MatchesRegex;
using testing::StartsWith;

access_entry sample_entry() {
  access_entry e;
  e.peer = "192.0.2.1";
  e.start = std::chrono::sys_days{std::chrono::year{2026} / 11 / 26} + 8h + 15min + 30s + 250ms;
  e.method = "GET";
  e.target = "/index.html?q=1";
  e.version_minor = 1;
  e.status = 200;
  e.bytes_sent = 1234;
  e.referer = "http://example.com/";
  e.user_agent = "curl/8.0";
  e.duration = 1500us;
  return e;
}

TEST(FormatAccessEntry, CombinedFormatWithDurationAndReason) {
  EXPECT_EQ(format_access_entry(sample_entry(), access_log_format::combined),
            "192.0.2.1 - - [26/Nov/2026:08:15:30 +0000] \"GET /index.html?q=1 HTTP/1.1\" 200 1234 "
            "\"http://example.com/\" \"curl/8.0\" 1.500 -\n");
  access_entry e = sample_entry();
  e.status = 400;
  e.reason = "te-and-cl";
  e.version_minor = 0;
  e.referer = {};
  EXPECT_EQ(format_access_entry(e, access_log_format::combined),
            "192.0.2.1 - - [26/Nov/2026:08:15:30 +0000] \"GET /index.html?q=1 HTTP/1.0\" 400 1234 "
            "\"-\" \"curl/8.0\" 1.500 te-and-cl\n");
}

TEST(FormatAccessEntry, CombinedFormatOfARequestThatDidNotParse) {
  access_entry e;
  e.start = sample_entry().start;
  e.status = 400;
  e.reason = "bare-lf";
  EXPECT_EQ(format_access_entry(e, access_log_format::combined),
            "- - - [26/Nov/2026:08:15:30 +0000] \"-\" 400 0 \"-\" \"-\" 0.000 bare-lf\n");
}

TEST(FormatAccessEntry, CombinedFormatEscapesWhatCouldForgeALine) {
  access_entry e = sample_entry();
  e.user_agent = "evil\" 200 \\ \x01\x7f\xff";
  EXPECT_THAT(format_access_entry(e, access_log_format::combined),
              HasSubstr("\"evil\\\" 200 \\\\ \\x01\\x7F\\xFF\" 1.500"));
}

TEST(FormatAccessEntry, JsonLineHasEveryField) {
  access_entry e = sample_entry();
  e.reason = "content-too-large";
  e.user_agent = "agent \xff";  // not UTF-8: replaced, never an invalid line
  const std::string line = format_access_entry(e, access_log_format::json);
  ASSERT_THAT(line, EndsWith("\n"));
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  nlohmann::json j = nlohmann::json::parse(line);
  EXPECT_EQ(j["time"], "2026-11-26T08:15:30Z");
  EXPECT_EQ(j["peer"], "192.0.2.1");
  EXPECT_EQ(j["method"], "GET");
  EXPECT_EQ(j["target"], "/index.html?q=1");
  EXPECT_EQ(j["version"], "HTTP/1.1");
  EXPECT_EQ(j["status"], 200);
  EXPECT_EQ(j["bytes"], 1234);
  EXPECT_EQ(j["referer"], "http://example.com/");
  EXPECT_EQ(j["duration_us"], 1500);
  EXPECT_EQ(j["reason"], "content-too-large");
  EXPECT_THAT(j["user_agent"].get<std::string>(), StartsWith("agent "));
}

TEST(FormatAccessEntry, JsonLineOmitsAnEmptyReason) {
  nlohmann::json j =
      nlohmann::json::parse(format_access_entry(sample_entry(), access_log_format::json));
  EXPECT_FALSE(j.contains("reason"));
}

TEST(AccessLog, ReopenWritesToANewFileOfTheSameName) {
  test::temp_dir dir;
  const auto path = dir.path() / "access.log";
  access_log log(path.string(), access_log_format::combined);
  log.write(sample_entry());
  std::filesystem::rename(path, dir.path() / "access.log.1");
  access_entry second = sample_entry();
  second.status = 404;
  log.reopen();
  log.write(second);
  EXPECT_THAT(test::read_file(dir.path() / "access.log.1"), HasSubstr("\" 200 1234 "));
  const std::string fresh = test::read_file(path);
  EXPECT_THAT(fresh, HasSubstr("\" 404 1234 "));
  EXPECT_THAT(fresh, testing::Not(HasSubstr("\" 200 ")));
}

TEST(AccessLog, UnwritablePathThrowsNamingIt) {
  test::temp_dir dir;
  const std::string path = (dir.path() / "missing" / "access.log").string();
  try {
    access_log log(path, access_log_format::combined);
    ADD_FAILURE() << "opened " << path;
  } catch (const std::system_error& e) {
    EXPECT_THAT(e.what(), HasSubstr(path));
  }
}

// ----- lines a running server writes -----------------------------------------------------------

class ok_handler : public handler {
 public:
  content_decision prepare(const request&) override { return content_decision::accept(64); }
  response handle(request&) override {
    response ok(200);
    ok.set_text("hello\n");
    return ok;
  }
};

class AccessLogOnTheWire : public testing::Test {
 protected:
  void start(access_log_format format) {
    opts_.access_log = true;
    opts_.access_log_path = path_.string();
    opts_.log_format = format;
    server_.emplace(opts_, handler_);
  }
  std::vector<std::string> lines(std::size_t count) { return test::wait_for_lines(path_, count); }

  test::temp_dir dir_;
  std::filesystem::path path_ = dir_.path() / "access.log";
  ok_handler handler_;
  options opts_ = test::test_options();
  std::optional<test::running_server> server_;
};

TEST_F(AccessLogOnTheWire, CombinedLinesForASuccessAHeadAndAWireError) {
  start(access_log_format::combined);
  {
    test::raw_client c = server_->connect();
    ASSERT_TRUE(c.send(raw_request(
        "GET", "/hello?x=1", {"User-Agent: test-agent/1.0", "Referer: http://ref.example/"})));
    ASSERT_TRUE(c.read_response());
    ASSERT_TRUE(c.send(raw_request("HEAD", "/hello")));
    ASSERT_TRUE(c.read_response("HEAD"));
    ASSERT_TRUE(
        c.send(raw_request("POST", "/", {"Transfer-Encoding: chunked", "Content-Length: 3"})));
    auto r = c.read_response("POST");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 400);
    std::vector<std::string> l = lines(3);
    ASSERT_EQ(l.size(), 3u);
    const std::string date = R"(\[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9:]{8} \+0000\])";
    EXPECT_THAT(l[0],
                MatchesRegex("127\\.0\\.0\\.1 - - " + date +
                             " \"GET /hello\\?x=1 HTTP/1\\.1\" 200 6 \"http://ref\\.example/\""
                             " \"test-agent/1\\.0\" [0-9]+\\.[0-9]{3} -"));
    EXPECT_THAT(l[1], HasSubstr("\"HEAD /hello HTTP/1.1\" 200 0 "));
    EXPECT_THAT(l[2], MatchesRegex("127\\.0\\.0\\.1 - - " + date + " \"-\" 400 " +
                                   std::to_string(r->body.size()) +
                                   " \"-\" \"-\" [0-9]+\\.[0-9]{3} te-and-cl"));
  }
}

TEST_F(AccessLogOnTheWire, JsonLinesCarryStatusBytesAndReason) {
  opts_.limits.max_request_line = 1024;
  start(access_log_format::json);
  test::raw_client c = server_->connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/hello", {"User-Agent: json-agent"})));
  auto ok = c.read_response();
  ASSERT_TRUE(ok);
  test::raw_client long_line = server_->connect();
  ASSERT_TRUE(long_line.send(raw_request("GET", "/" + std::string(2000, 'x'))));
  auto too_long = long_line.read_response();
  ASSERT_TRUE(too_long);
  ASSERT_EQ(too_long->status, 414);
  std::vector<std::string> l = lines(2);
  ASSERT_EQ(l.size(), 2u);
  nlohmann::json first = nlohmann::json::parse(l[0]);
  EXPECT_EQ(first["peer"], "127.0.0.1");
  EXPECT_EQ(first["method"], "GET");
  EXPECT_EQ(first["target"], "/hello");
  EXPECT_EQ(first["version"], "HTTP/1.1");
  EXPECT_EQ(first["status"], 200);
  EXPECT_EQ(first["bytes"], 6);
  EXPECT_EQ(first["user_agent"], "json-agent");
  EXPECT_GE(first["duration_us"].get<long long>(), 0);
  EXPECT_FALSE(first.contains("reason"));
  nlohmann::json second = nlohmann::json::parse(l[1]);
  EXPECT_EQ(second["status"], 414);
  EXPECT_EQ(second["bytes"], too_long->body.size());
  EXPECT_EQ(second["reason"], "request-line-too-long");
}

TEST_F(AccessLogOnTheWire, DeniedPathIsLoggedAs444) {
  opts_.deny_paths = {"/private"};
  start(access_log_format::json);
  test::raw_client c = server_->connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/private/key")));
  EXPECT_TRUE(c.wait_closed(2s));
  std::vector<std::string> l = lines(1);
  ASSERT_EQ(l.size(), 1u);
  nlohmann::json j = nlohmann::json::parse(l[0]);
  EXPECT_EQ(j["status"], 444);
  EXPECT_EQ(j["target"], "/private/key");
  EXPECT_EQ(j["bytes"], 0);
  EXPECT_EQ(j["reason"], "denied");
}

TEST_F(AccessLogOnTheWire, DeniedPeerIsLoggedAs444) {
  opts_.deny_peers = {"127.0.0.1"};
  start(access_log_format::combined);
  test::raw_client c = server_->connect();
  EXPECT_TRUE(c.wait_closed(2s));
  std::vector<std::string> l = lines(1);
  ASSERT_EQ(l.size(), 1u);
  EXPECT_THAT(l[0], StartsWith("127.0.0.1 - - ["));
  EXPECT_THAT(l[0], HasSubstr("\"-\" 444 0 "));
  EXPECT_THAT(l[0], EndsWith(" denied-peer"));
}

TEST_F(AccessLogOnTheWire, HeaderTimeoutIsLoggedWithItsReason) {
  opts_.header_timeout = 200ms;
  start(access_log_format::json);
  test::raw_client c = server_->connect();
  ASSERT_TRUE(c.send("GET / HTTP/1.1\r\n"));
  auto r = c.read_response("GET", 2s);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 408);
  std::vector<std::string> l = lines(1);
  ASSERT_EQ(l.size(), 1u);
  nlohmann::json j = nlohmann::json::parse(l[0]);
  EXPECT_EQ(j["status"], 408);
  EXPECT_EQ(j["reason"], "header-timeout");
}

}  // namespace
}  // namespace herald::server
