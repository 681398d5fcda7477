// The lab (src/handlers/lab.cpp) with a real client: curl, run with popen against an in-process
// lab, following redirect chains and loops, answering Basic and Digest challenges, asking for
// ranges and coded content, keeping or dropping the method and form across 307 and 303, and
// meeting the lab's misbehaviours (content cut short, an Expect left unanswered). Every curl run
// is bounded by --max-time; the tests skip when curl is not installed.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include <herald/handlers/lab.hpp>

#include "support/raw_client.hpp"

namespace herald::handlers {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;
using testing::HasSubstr;

class LabCurl : public testing::Test {
 protected:
  void SetUp() override {
    if (test::run_command("curl --version >/dev/null 2>&1 && echo ok").out != "ok\n")
      GTEST_SKIP() << "curl is not installed";
    lab_options o;
    o.max_delay = 2s;
    o.max_bytes = 4096;
    o.max_hops = 10;
    lab_.emplace(o);
    server_.emplace(test::test_options(), *lab_);
    base_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }
  test::command_result curl(const std::string& args) {
    return test::run_command("curl -s --max-time 5 " + args + " 2>/dev/null");
  }
  // The JSON document curl printed.
  static json json_of(const test::command_result& r) { return json::parse(r.out, nullptr, false); }

  std::optional<lab> lab_;
  std::optional<test::running_server> server_;
  std::string base_;
};

TEST_F(LabCurl, FollowsRedirectsToGet) {
  auto r = curl("-L -o /dev/null -w '%{http_code} %{num_redirects} %{url_effective}' " + base_ +
                "/redirect/3");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "200 3 " + base_ + "/get");
}

TEST_F(LabCurl, FollowsAbsoluteRedirectsOnTheSameHost) {
  auto r = curl("-L -o /dev/null -w '%{http_code} %{num_redirects} %{url_effective}' " + base_ +
                "/absolute-redirect/2");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "200 2 " + base_ + "/get");
}

TEST_F(LabCurl, BasicAuthWithUserAndPassword) {
  auto right = curl("-u user:passwd " + base_ + "/basic-auth/user/passwd");
  EXPECT_EQ(right.status, 0);
  EXPECT_EQ(json_of(right), json({{"authenticated", true}, {"user", "user"}})) << right.out;
  auto wrong = curl("-u user:wrong -o /dev/null -w '%{http_code}' " + base_ +
                    "/basic-auth/user/passwd");
  EXPECT_EQ(wrong.out, "401");
}

TEST_F(LabCurl, DigestAuthMd5AndSha256) {
  for (std::string algorithm : {"MD5", "SHA-256"}) {
    auto r = curl("--digest -u user:passwd -w '\\n%{http_code}' " + base_ +
                  "/digest-auth/auth/user/passwd/" + algorithm);
    EXPECT_EQ(r.status, 0) << algorithm;
    EXPECT_THAT(r.out, HasSubstr("\"authenticated\": true")) << algorithm;
    EXPECT_TRUE(r.out.ends_with("\n200")) << algorithm << ": " << r.out;
    auto wrong = curl("--digest -u user:wrong -o /dev/null -w '%{http_code}' " + base_ +
                      "/digest-auth/auth/user/passwd/" + algorithm);
    EXPECT_EQ(wrong.out, "401") << algorithm;
  }
}

TEST_F(LabCurl, RangeRequest) {
  auto r = curl("-r 0-9 -w ' %{http_code}' " + base_ + "/range/100");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "abcdefghij 206");
}

TEST_F(LabCurl, CompressedContentIsDecoded) {
  for (auto [path, flag] : {std::pair<std::string, std::string>{"/gzip", "gzipped"},
                            {"/deflate", "deflated"},
                            {"/brotli", "brotli"}}) {
    auto r = curl("--compressed " + base_ + path);
    EXPECT_EQ(r.status, 0) << path;
    json j = json_of(r);
    ASSERT_FALSE(j.is_discarded()) << path << ": " << r.out;
    EXPECT_EQ(j[flag], true) << path;
  }
}

TEST_F(LabCurl, LoopIsTooManyRedirects) {
  auto r = curl("-L --max-redirs 10 -o /dev/null " + base_ + "/loop/3");
  EXPECT_EQ(r.status, 47) << "CURLE_TOO_MANY_REDIRECTS";
}

TEST_F(LabCurl, PostThrough307KeepsTheMethodAndTheForm) {
  auto r = curl("-L -d a=1 -w '\\n%{num_redirects}' " + base_ + "/chain/307/2");
  EXPECT_EQ(r.status, 0);
  const std::size_t nl = r.out.rfind('\n');
  ASSERT_NE(nl, std::string::npos) << r.out;
  EXPECT_EQ(r.out.substr(nl + 1), "2");
  json j = json::parse(r.out.substr(0, nl), nullptr, false);
  EXPECT_EQ(j["method"], "POST");
  EXPECT_EQ(j["form"], json({{"a", "1"}}));
  EXPECT_EQ(j["url"], "http://127.0.0.1:" + std::to_string(server_->port()) + "/anything");
}

TEST_F(LabCurl, PostThrough303BecomesGet) {
  auto r = curl("-L -d a=1 " + base_ + "/chain/303/2");
  EXPECT_EQ(r.status, 0);
  json j = json_of(r);
  EXPECT_EQ(j["method"], "GET");
  EXPECT_EQ(j["form"], json::object());
  EXPECT_EQ(j["data"], "");
}

TEST_F(LabCurl, CookiesSetAndFollowed) {
  auto r = curl("-L -b '' '" + base_ + "/cookies/set?flavour=oat&size=large'");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(json_of(r), json({{"cookies", {{"flavour", "oat"}, {"size", "large"}}}})) << r.out;
}

TEST_F(LabCurl, DroppedContentIsAPartialFile) {
  auto r = curl("-o /dev/null '" + base_ + "/drop/10?length=100'");
  EXPECT_EQ(r.status, 18) << "CURLE_PARTIAL_FILE";
}

TEST_F(LabCurl, SilentExpectationMakesCurlWaitThenSend) {
  auto r = curl("--expect100-timeout 1 -H 'Expect: 100-continue' -d hello -w '\\n%{http_code}' '" +
                base_ + "/expect?answer=silence'");
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("\"received\": 5"));
  EXPECT_TRUE(r.out.ends_with("\n200")) << r.out;
}

TEST_F(LabCurl, TrailersReachCurl) {
  auto r = curl("--raw " + base_ + "/trailers");
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("0\r\nContent-Digest: sha-256=:"));
}

}  // namespace
}  // namespace herald::handlers
