// `herald check` (src/cli/check_command.cpp) run in-process against in-process labs: the text
// report (hops, Location, kinds, the final line, findings, notes), the JSON schema README.md
// documents, the exit statuses (0 all 2xx, 1 a final non-2xx, 3 a chain that did not end, 2 bad
// usage), the findings (302 after POST, several redirects in a row, a permanent redirect to a
// temporary one, credentials dropped at another origin), and --input with several URLs checked
// at once, in input order, with a summary.

#include "cli/check_command.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <cstdlib>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.hpp"
#include "cli/cli_support.hpp"
#include "client/client_support.hpp"

namespace herald::cli {
namespace {

using cli_test::run_herald;
using cli_test::run_result;
using cli_test::keys;

using namespace std::chrono_literals;
using json = nlohmann::json;
using testing::HasSubstr;
using testing::Not;

class Check : public testing::Test {
 protected:
  void SetUp() override { ::setenv("NO_COLOR", "1", 1); }
  run_result check(std::vector<std::string> args) {
    args.insert(args.begin(), "check");
    args.insert(args.end(), {"--connect-timeout", "2"});
    return run_herald(std::move(args));
  }
  json check_json(std::vector<std::string> args, int expected_code) {
    args.push_back("--json");
    run_result r = check(std::move(args));
    EXPECT_EQ(r.code, expected_code) << r.err;
    json j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out;
    return j;
  }
  std::string url(std::string_view path) const { return lab_.url(path); }
  test::lab_server lab_;
};

// ----- text --------------------------------------------------------------------------------------

TEST_F(Check, TextShowsEveryHopTheFinalLineAndFindings) {
  run_result r = check({url("/redirect/3")});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, testing::StartsWith(url("/redirect/3") + "\n"));
  EXPECT_THAT(r.out, HasSubstr("302 Found"));
  EXPECT_THAT(r.out, HasSubstr("→ /relative-redirect/2  (temporary, may become GET)"));
  EXPECT_THAT(r.out, HasSubstr("→ /relative-redirect/1"));
  EXPECT_THAT(r.out, HasSubstr("→ /get"));
  EXPECT_THAT(r.out, HasSubstr("200 OK"));
  EXPECT_THAT(r.out, HasSubstr("  = 200 OK after 3 redirects"));
  EXPECT_THAT(r.out, HasSubstr("! 3 redirects in a row: link straight to " + url("/get")));
  EXPECT_THAT(r.out, Not(HasSubstr("summary:"))) << "one URL, no summary";
  EXPECT_THAT(r.out, Not(HasSubstr("\x1b["))) << "no colour off a terminal";
}

TEST_F(Check, ShowHeadersPrintsEachResponsesFields) {
  run_result r = check({url("/redirect/1"), "--show-headers"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("      Location: /get\n"));
  EXPECT_THAT(r.out, HasSubstr("      Content-Type: application/json\n"));
}

TEST_F(Check, OneRedirectIsNoFinding) {
  run_result r = check({url("/redirect/1")});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr("= 200 OK after 1 redirect,"));
  EXPECT_THAT(r.out, Not(HasSubstr("!")));
}

TEST_F(Check, LoopIsStoppedAndNamedOnce) {
  run_result r = check({url("/loop/3")});
  EXPECT_EQ(r.code, 3);
  EXPECT_THAT(r.out, HasSubstr("stopped: a redirect loop: GET " + url("/loop/3") + " was already requested"));
  EXPECT_THAT(r.out, Not(HasSubstr("= ")));
  EXPECT_THAT(r.out, Not(HasSubstr("redirects in a row"))) << "the stop is named once";
}

TEST_F(Check, ConnectFailureIsReported) {
  const std::string closed = "http://127.0.0.1:" + std::to_string(test::free_port()) + "/";
  run_result r = check({closed});
  EXPECT_EQ(r.code, 3);
  EXPECT_THAT(r.out, HasSubstr("failed: cannot connect to 127.0.0.1"));
}

// ----- JSON --------------------------------------------------------------------------------------

TEST_F(Check, JsonSchema) {
  json j = check_json({url("/redirect/2")}, 0);
  EXPECT_EQ(keys(j), (std::set<std::string>{"results", "summary"}));
  ASSERT_EQ(j["results"].size(), 1u);
  const json& c = j["results"][0];
  EXPECT_EQ(keys(c), (std::set<std::string>{"url", "method", "hops", "final", "stopped", "stop_detail",
                                             "error", "findings", "notes", "time_ms"}));
  EXPECT_EQ(c["url"], url("/redirect/2"));
  EXPECT_EQ(c["method"], "GET");
  ASSERT_EQ(c["hops"].size(), 3u);
  for (const json& hop : c["hops"])
    EXPECT_EQ(keys(hop), (std::set<std::string>{"method", "url", "status", "reason", "location",
                                                 "kind", "time_ms", "headers"}))
        << hop.dump();
  const json& first = c["hops"][0];
  EXPECT_EQ(first["method"], "GET");
  EXPECT_EQ(first["url"], url("/redirect/2"));
  EXPECT_EQ(first["status"], 302);
  EXPECT_EQ(first["reason"], "Found");
  EXPECT_EQ(first["location"], "/relative-redirect/1");
  EXPECT_EQ(first["kind"], "temporary, may become GET");
  EXPECT_TRUE(first["time_ms"].is_number());
  ASSERT_TRUE(first["headers"].is_array());
  EXPECT_THAT(first["headers"].dump(), HasSubstr(R"(["Location","/relative-redirect/1"])"));
  const json& last = c["hops"][2];
  EXPECT_EQ(last["status"], 200);
  EXPECT_TRUE(last["location"].is_null());
  EXPECT_TRUE(last["kind"].is_null());
  EXPECT_EQ(c["final"], json({{"status", 200}, {"reason", "OK"}, {"url", url("/get")}}));
  EXPECT_TRUE(c["stopped"].is_null());
  EXPECT_TRUE(c["stop_detail"].is_null());
  EXPECT_TRUE(c["error"].is_null());
  EXPECT_EQ(c["findings"], json::array({"2 redirects in a row: link straight to " + url("/get")}));
  EXPECT_EQ(c["notes"], json::array());
  EXPECT_TRUE(c["time_ms"].is_number());
  EXPECT_EQ(j["summary"], json({{"200", 1}}));
}

TEST_F(Check, JsonOfAStoppedChain) {
  json j = check_json({url("/loop/2")}, 3);
  const json& c = j["results"][0];
  EXPECT_TRUE(c["final"].is_null());
  EXPECT_EQ(c["stopped"], "loop");
  EXPECT_THAT(c["stop_detail"].get<std::string>(), HasSubstr("a redirect loop"));
  EXPECT_TRUE(c["error"].is_null());
  EXPECT_EQ(j["summary"], json({{"loop", 1}}));
}

TEST_F(Check, JsonOfAFailure) {
  const std::string closed = "http://127.0.0.1:" + std::to_string(test::free_port()) + "/";
  json j = check_json({closed}, 3);
  const json& c = j["results"][0];
  EXPECT_TRUE(c["final"].is_null());
  EXPECT_TRUE(c["stopped"].is_null());
  EXPECT_THAT(c["error"].get<std::string>(), HasSubstr("cannot connect"));
  ASSERT_EQ(c["hops"].size(), 1u);
  EXPECT_TRUE(c["hops"][0]["status"].is_null());
  EXPECT_EQ(j["summary"], json({{"failed", 1}}));
}

// ----- exit statuses -----------------------------------------------------------------------------

TEST_F(Check, ExitStatuses) {
  EXPECT_EQ(check({url("/get")}).code, 0);
  EXPECT_EQ(check({url("/status/404")}).code, 1);
  EXPECT_EQ(check({url("/status/500"), url("/get")}).code, 1);
  EXPECT_EQ(check({url("/status/305")}).code, 3);
  EXPECT_EQ(check({url("/status/404"), url("/loop/2")}).code, 3) << "3 wins over 1";
  EXPECT_EQ(check({url("/loop/2"), url("/status/404")}).code, 3) << "whatever the order";
  EXPECT_EQ(check({url("/redirect/6"), "--max-redirs", "5"}).code, 3);
  EXPECT_EQ(check({url("/redirect/5"), "--max-redirs", "5"}).code, 0);
}

TEST_F(Check, BadUsageIsExit2WithOneLine) {
  for (std::vector<std::string> args :
       std::vector<std::vector<std::string>>{{},
                                             {url("/get"), "-H", "NoColon"},
                                             {url("/get"), "-u", "nocolon"},
                                             {url("/get"), "--digest"},
                                             {url("/get"), "--proxy", "ftp://x"},
                                             {url("/get"), "--concurrency", "0"},
                                             {url("/get"), "--redirect-policy", "lax"},
                                             {"--input", "/nonexistent/urls.txt"}}) {
    run_result r = check(args);
    std::string shown;
    for (const std::string& a : args) shown += a + " ";
    EXPECT_EQ(r.code, 2) << shown;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << shown << ": " << r.err;
    EXPECT_EQ(r.out, "") << shown;
  }
}

// ----- findings ----------------------------------------------------------------------------------

TEST_F(Check, FoundAfterPostIsAFinding) {
  json j = check_json({"-X", "POST", url("/redirect-to?url=/anything&status_code=302")}, 0);
  const json& c = j["results"][0];
  EXPECT_EQ(c["method"], "POST");
  EXPECT_EQ(c["hops"][1]["method"], "GET");
  EXPECT_THAT(c["findings"].dump(), HasSubstr("302 after POST turned it into GET: send 303 to say so, or 307/308 to keep POST"));
}

TEST_F(Check, SeeOtherAfterPostIsNoFinding) {
  json j = check_json({"-X", "POST", url("/redirect-to?url=/anything&status_code=303")}, 0);
  EXPECT_EQ(j["results"][0]["findings"], json::array());
}

TEST_F(Check, PermanentRedirectToATemporaryOne) {
  // 301 → /redirect-to?url=/get&status_code=302 → 302 → /get.
  json j = check_json({url("/redirect-to?url=%2Fredirect-to%3Furl%3D%252Fget%26status_code%3D302&status_code=301")}, 0);
  const json& c = j["results"][0];
  ASSERT_EQ(c["hops"].size(), 3u) << c.dump();
  EXPECT_EQ(c["hops"][0]["status"], 301);
  EXPECT_EQ(c["hops"][1]["status"], 302);
  EXPECT_EQ(c["hops"][0]["kind"], "permanent, may become GET");
  EXPECT_THAT(c["findings"].dump(), HasSubstr("a permanent redirect leads to a temporary one"));
  EXPECT_THAT(c["findings"].dump(), HasSubstr("2 redirects in a row"));
}

TEST_F(Check, TemporaryThenPermanentIsNoPermanentFinding) {
  json j = check_json({url("/redirect-to?url=%2Fredirect-to%3Furl%3D%252Fget%26status_code%3D308&status_code=307")}, 0);
  EXPECT_THAT(j["results"][0]["findings"].dump(), Not(HasSubstr("permanent redirect leads")));
}

TEST_F(Check, CredentialsDroppedAtAnotherOrigin) {
  test::lab_server other;
  json j = check_json({url("/redirect-to?url=" + other.url("/get")), "-H", "Authorization: Bearer t"}, 0);
  EXPECT_THAT(j["results"][0]["findings"].dump(),
              HasSubstr("302 leads to another origin: credentials and cookies were dropped"));
  json same = check_json({url("/redirect-to?url=/get"), "-H", "Authorization: Bearer t"}, 0);
  EXPECT_EQ(same["results"][0]["findings"], json::array());
}

TEST_F(Check, HeaderBeforeTheUrlTakesOneValue) {
  // `herald check -H 'Name: value' URL`, as with curl and `herald get`. (Fails on purpose:
  // -H is a vector option, so CLI11 gives it every following argument until the next flag: the
  // URL becomes a header "http: //127.0.0.1:..." and check says "name at least one URL";
  // reported.)
  run_result r = check({"-H", "X-Test: 1", url("/get")});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("200 OK"));
}

TEST_F(Check, RetryNotesAppear) {
  json j = check_json({url("/status/503")}, 1);
  EXPECT_THAT(j["results"][0]["notes"].dump(), HasSubstr("not retried"));
}

TEST_F(Check, FindingsOfAChainWithAFailedHopSkipIt) {
  client::fetch_result r;
  client::hop failed;
  failed.request.url = "http://example.org/";
  r.hops.push_back(failed);
  EXPECT_TRUE(findings(r).empty());
}

// ----- several URLs ------------------------------------------------------------------------------

TEST_F(Check, InputFileWithSeveralUrlsAndConcurrency) {
  test::temp_dir dir;
  const auto list = dir.write("urls.txt", "# a comment\n" + url("/get") + "\n\n" + url("/status/404") + "\r\n" +
                                              url("/redirect/2") + "  \n" + url("/loop/2") + "\n" +
                                              url("/status/204") + "\n");
  run_result text = check({"--input", list.string(), "--concurrency", "4", url("/anything")});
  EXPECT_EQ(text.code, 3) << text.err;
  // In the order given: the command line's URLs first, then the file's.
  std::vector<std::string> order{url("/anything"), url("/get"), url("/status/404"), url("/redirect/2"),
                                 url("/loop/2"), url("/status/204")};
  std::size_t at = 0;
  for (const std::string& u : order) {
    std::size_t found = text.out.find(u + "\n", at);
    ASSERT_NE(found, std::string::npos) << u << " after offset " << at << ":\n" << text.out;
    at = found + u.size();
  }
  EXPECT_THAT(text.out, HasSubstr("summary: 3×200 1×204 1×404 1×loop\n"));
  EXPECT_TRUE(text.out.ends_with("summary: 3×200 1×204 1×404 1×loop\n")) << text.out;

  json j = check_json({"--input", list.string(), "--concurrency", "4"}, 3);
  ASSERT_EQ(j["results"].size(), 5u);
  EXPECT_EQ(j["results"][0]["url"], url("/get"));
  EXPECT_EQ(j["results"][4]["url"], url("/status/204"));
  EXPECT_EQ(j["summary"], json({{"200", 2}, {"204", 1}, {"404", 1}, {"loop", 1}}));
}

TEST_F(Check, EmptyInputFileIsBadUsage) {
  test::temp_dir dir;
  const auto list = dir.write("urls.txt", "# nothing\n\n");
  run_result r = check({"--input", list.string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("name at least one URL"));
}

}  // namespace
}  // namespace herald::cli
