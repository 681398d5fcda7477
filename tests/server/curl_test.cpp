// The server with a real client: curl, run with popen against an in-process server (keep-alive
// reuse, an Expect: 100-continue upload, HEAD). Every curl run is bounded by --max-time.

#include <atomic>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <optional>
#include <string>

#include "support/raw_client.hpp"

namespace herald::server {
namespace {

using testing::HasSubstr;
using testing::Not;

// Accepts up to 1 MiB on /upload and answers how much arrived; refuses content on /refuse.
class upload_handler : public handler {
 public:
  std::atomic<int> handled{0};

  content_decision prepare(const request& r) override {
    if (r.head.path == "/refuse") {
      response no(405);
      no.fields.add("Allow", "GET, HEAD");
      no.set_text("no uploads here\n");
      return content_decision::reject(std::move(no));
    }
    return content_decision::accept(1 << 20);
  }
  response handle(request& r) override {
    ++handled;
    response ok(200);
    ok.set_text("received " + std::to_string(r.body.size()) + "\n");
    return ok;
  }
};

class Curl : public testing::Test {
 protected:
  void SetUp() override {
    if (test::run_command("curl --version >/dev/null 2>&1 && echo ok").out != "ok\n")
      GTEST_SKIP() << "curl is not installed";
    server_.emplace(test::test_options(), handler_);
    base_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }
  test::command_result curl(const std::string& args) {
    return test::run_command("curl -s --max-time 5 " + args);
  }

  upload_handler handler_;
  std::optional<test::running_server> server_;
  std::string base_;
  test::temp_dir dir_;
};

TEST_F(Curl, ReusesOneConnectionForTwoUrls) {
  auto r = curl("-o /dev/null -o /dev/null -w '%{http_code} %{num_connects}\\n' " + base_ +
                "/one " + base_ + "/two");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "200 1\n200 0\n") << "the second transfer made a connection of its own";
  EXPECT_EQ(handler_.handled.load(), 2);
}

TEST_F(Curl, UploadWithExpectContinueGetsContinueThenTheFinalResponse) {
  const auto file = dir_.write("upload.bin", std::string(200000, 'u'));
  // With a 3 s expect100-timeout, a server that never sent 100 would make this take 3 s.
  auto r =
      curl("-v --expect100-timeout 3 -H 'Expect: 100-continue' --data-binary @" + file.string() +
           " -w 'status=%{http_code} time=%{time_total}\\n' " + base_ + "/upload 2>&1");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("< HTTP/1.1 100 Continue"));
  EXPECT_THAT(r.out, HasSubstr("received 200000"));
  EXPECT_THAT(r.out, HasSubstr("status=200"));
  const auto at = r.out.find("time=");
  ASSERT_NE(at, std::string::npos);
  EXPECT_LT(std::stod(r.out.substr(at + 5)), 2.0) << "curl waited for a 100 that never came";
}

TEST_F(Curl, UploadRefusedBeforeTheContentGetsNoContinue) {
  const auto file = dir_.write("upload.bin", std::string(200000, 'u'));
  auto r = curl("-v --expect100-timeout 3 -H 'Expect: 100-continue' --data-binary @" +
                file.string() + " -w 'status=%{http_code}\\n' " + base_ + "/refuse 2>&1");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_THAT(r.out, Not(HasSubstr("100 Continue")));
  EXPECT_THAT(r.out, HasSubstr("< Allow: GET, HEAD"));
  EXPECT_THAT(r.out, HasSubstr("status=405"));
  EXPECT_EQ(handler_.handled.load(), 0);
}

TEST_F(Curl, HeadShowsTheFieldsWithoutContent) {
  auto r = curl("-I " + base_ + "/thing");
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.out, testing::StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(r.out, HasSubstr("Content-Length: 11\r\n"));  // "received 0\n", as for GET
  EXPECT_THAT(r.out, HasSubstr("Server: herald\r\n"));
  EXPECT_THAT(r.out, Not(HasSubstr("received")));
}

}  // namespace
}  // namespace herald::server
