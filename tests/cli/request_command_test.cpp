// `herald get`, `head` and `send` (src/cli/request_command.cpp) run in-process against an
// in-process lab: the content to standard output, -i, --json, --fail, Basic and Digest with
// -u; downloads with -o (through FILE.part, FILE.herald.json), resumed with -C (appended after
// a 206, restarted from zero when the resource changed, completed by a 416), revalidated with
// --revalidate (304 leaves FILE alone), fetched in --segments, and interrupted; and every
// usage error as one line and exit 2.

#include "cli/request_command.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <vector>

#include <herald/client/http_client.hpp>

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
namespace fs = std::filesystem;
using testing::HasSubstr;
using testing::Not;
using testing::StartsWith;

// a–z repeated: what the lab's /range/n serves.
std::string alphabet(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

struct timespec mtime_of(const fs::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mtim;
}

class Request : public testing::Test {
 protected:
  run_result herald(std::vector<std::string> args) {
    args.insert(args.end(), {"--connect-timeout", "2"});
    return run_herald(std::move(args));
  }
  std::string url(std::string_view path) const { return lab_.url(path); }
  fs::path file(const std::string& name) const { return dir_.path() / name; }
  std::string part(const std::string& name) const { return file(name).string() + ".part"; }
  std::string meta(const std::string& name) const { return file(name).string() + ".herald.json"; }
  json meta_json(const std::string& name) const {
    return json::parse(test::read_file(meta(name)), nullptr, false);
  }
  // What the lab serves at `path`, fetched directly.
  std::string direct(std::string_view path) {
    client::http_client c;
    client::request_spec r;
    r.url = url(path);
    return c.exchange(r).body;
  }

  test::lab_server lab_;
  test::temp_dir dir_;
};

// ----- to standard output ------------------------------------------------------------------------

TEST_F(Request, GetPrintsTheContent) {
  run_result r = herald({"get", url("/get?x=1")});
  EXPECT_EQ(r.code, 0) << r.err;
  json j = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_EQ(j["args"]["x"], "1");
  EXPECT_EQ(j["headers"]["User-Agent"], "herald/0.1.0");
  EXPECT_EQ(r.err, "");
}

TEST_F(Request, GetFollowsRedirectsAndPrintsOnlyTheLastContent) {
  run_result r = herald({"get", url("/redirect/2")});
  EXPECT_EQ(r.code, 0);
  json j = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_EQ(j["url"], url("/get"));
}

TEST_F(Request, HeadersBeforeOrAfterTheUrl) {
  // curl's order: flags, then the URL. (Fails on purpose: -H is a vector option, and CLI11
  // gives the last -H every argument up to the next flag, the URL included: "url is required";
  // reported.)
  run_result before = herald({"get", "-H", "X-One: 1", "-H", "X-Two: 2", url("/headers")});
  EXPECT_EQ(before.code, 0) << before.err;
  json j = json::parse(before.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << before.out;
  EXPECT_EQ(j["headers"]["X-One"], "1");
  EXPECT_EQ(j["headers"]["X-Two"], "2");
  run_result after = herald({"get", url("/headers"), "-H", "X-Three: 3"});
  EXPECT_EQ(json::parse(after.out, nullptr, false)["headers"]["X-Three"], "3");
}

TEST_F(Request, IncludePrintsTheHeadFirst) {
  run_result r = herald({"get", "-i", url("/json")});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(r.out, HasSubstr("\r\nContent-Type: application/json\r\n"));
  const std::size_t blank = r.out.find("\r\n\r\n");
  ASSERT_NE(blank, std::string::npos);
  json j = json::parse(r.out.substr(blank + 4), nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.out;
}

TEST_F(Request, JsonDescribesTheExchange) {
  run_result r = herald({"get", "--json", url("/redirect/1")});
  EXPECT_EQ(r.code, 0) << r.err;
  json j = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_EQ(keys(j), (std::set<std::string>{"status", "reason", "url", "chain", "time_ms", "stopped",
                                             "error", "notes", "headers"}));
  EXPECT_EQ(j["status"], 200);
  EXPECT_EQ(j["reason"], "OK");
  EXPECT_EQ(j["url"], url("/get"));
  ASSERT_EQ(j["chain"].size(), 2u);
  EXPECT_EQ(j["chain"][0], json({{"method", "GET"}, {"url", url("/redirect/1")}, {"status", 302},
                                 {"location", "/get"}, {"time_ms", j["chain"][0]["time_ms"]}}));
  EXPECT_TRUE(j["chain"][0]["time_ms"].is_number());
  EXPECT_TRUE(j["chain"][1]["location"].is_null());
  EXPECT_TRUE(j["stopped"].is_null());
  EXPECT_TRUE(j["error"].is_null());
  EXPECT_EQ(j["notes"], json::array());
  EXPECT_THAT(j["headers"].dump(), HasSubstr(R"(["Content-Type","application/json"])"));
}

TEST_F(Request, FailExits22OnlyWithTheFlag) {
  run_result plain = herald({"get", url("/status/404")});
  EXPECT_EQ(plain.code, 0) << "as curl: the exchange completed";
  run_result fail = herald({"get", "--fail", url("/status/404")});
  EXPECT_EQ(fail.code, 22);
  EXPECT_EQ(fail.err, "herald get: 404 Not Found\n");
  EXPECT_EQ(herald({"get", "--fail", url("/status/503")}).code, 22);
  EXPECT_EQ(herald({"get", "--fail", url("/status/302")}).code, 0) << "followed to /anything";
}

TEST_F(Request, StoppedChainExits3AndFailureExits1) {
  run_result loop = herald({"get", url("/loop/2")});
  EXPECT_EQ(loop.code, 3);
  EXPECT_THAT(loop.err, HasSubstr("herald get: a redirect loop"));
  run_result strict = herald({"send", "POST", "--redirect-policy", "strict", url("/chain/307/1")});
  EXPECT_EQ(strict.code, 3);
  EXPECT_THAT(strict.err, HasSubstr("strict policy"));
  run_result closed = herald({"get", "http://127.0.0.1:" + std::to_string(test::free_port()) + "/"});
  EXPECT_EQ(closed.code, 1);
  EXPECT_THAT(closed.err, HasSubstr("herald get: cannot connect"));
  run_result dropped = herald({"get", url("/drop/10?length=100")});
  EXPECT_EQ(dropped.code, 1);
  EXPECT_THAT(dropped.err, HasSubstr("10 of 100"));
}

TEST_F(Request, UserAndPasswordForBasicAndDigest) {
  run_result basic = herald({"get", "-u", "user:passwd", url("/basic-auth/user/passwd")});
  EXPECT_EQ(basic.code, 0);
  EXPECT_EQ(json::parse(basic.out, nullptr, false), json({{"authenticated", true}, {"user", "user"}}));
  run_result digest = herald({"get", "--digest", "-u", "user:passwd", url("/digest-auth/auth/user/passwd/SHA-256")});
  EXPECT_EQ(digest.code, 0);
  EXPECT_THAT(digest.out, HasSubstr("\"authenticated\": true"));
}

TEST_F(Request, CompressedContentIsPrintedDecoded) {
  // --compressed: "Ask for gzip, deflate, br or zstd and decode the content". (Fails on
  // purpose: the content goes through a sink, which http_client never decodes; reported.)
  run_result r = herald({"get", "--compressed", url("/gzip")});
  EXPECT_EQ(r.code, 0);
  json j = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << "printed " << r.out.size() << " octets that are not JSON";
  EXPECT_EQ(j["gzipped"], true);
}

TEST_F(Request, HeadPrintsTheHeadAlone) {
  run_result r = herald({"head", url("/json")});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(r.out, HasSubstr("Content-Type: application/json\r\n"));
  EXPECT_TRUE(r.out.ends_with("\r\n\r\n")) << r.out;
  EXPECT_EQ(herald({"head", "--fail", url("/status/410")}).code, 22);
}

TEST_F(Request, SendPostsTheDataFile) {
  const auto data = dir_.write("body.txt", "hello=world&n=2");
  run_result r = herald({"send", "POST", url("/anything"), "--data-file", data.string(), "-H",
                         "Content-Type: application/x-www-form-urlencoded"});
  EXPECT_EQ(r.code, 0) << r.err;
  json j = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_EQ(j["method"], "POST");
  EXPECT_EQ(j["form"], json({{"hello", "world"}, {"n", "2"}}));
  EXPECT_EQ(j["headers"]["Content-Length"], "15");
}

TEST_F(Request, SendWithoutContentSaysZero) {
  run_result r = herald({"send", "DELETE", url("/anything")});
  EXPECT_EQ(r.code, 0);
  json j = json::parse(r.out, nullptr, false);
  EXPECT_EQ(j["method"], "DELETE");
  EXPECT_EQ(j["data"], "");
}

TEST_F(Request, RangeToStandardOutput) {
  run_result r = herald({"get", "--range", "10-19", url("/range/100")});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "klmnopqrst");
}

TEST_F(Request, RangeIntoAFile) {
  // `--range A-B -o FILE` saves the bytes asked for. (Fails on purpose: the file sink takes a
  // 206 as a resumption of FILE.part, so 10-19 is refused for a file of 0 octets, and 0-9 is
  // then found short of the whole length, "resume with -C"; reported.)
  run_result r = herald({"get", "--range", "10-19", url("/range/100"), "-o", file("f").string()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(test::read_file(file("f")), "klmnopqrst");
}

TEST_F(Request, TimeCondSendsIfModifiedSince) {
  const auto stamp = dir_.write("stamp", "x");
  const std::string path = "/conditional?last_modified=Sun,%2006%20Nov%201994%2008:49:37%20GMT";
  run_result r = herald({"get", "--json", "--time-cond", stamp.string(), url(path)});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out, nullptr, false)["status"], 304);
  // A file last changed in 1990: the resource (1994) changed since.
  fs::last_write_time(stamp, fs::file_time_type::clock::now() - std::chrono::hours(24 * 365 * 35));
  run_result old = herald({"get", "--json", "--time-cond", stamp.string(), url(path)});
  EXPECT_EQ(old.code, 0) << old.err;
  EXPECT_EQ(json::parse(old.out, nullptr, false)["status"], 200);
}

TEST_F(Request, RetriedResponseIsNotPrinted) {
  // 503 (Retry-After: 0), then 200 on the retry: standard output holds the 200's content
  // only. (Fails on purpose: the retried 503's content reaches the stdout sink first; reported.)
  test::raw_server s({[](test::peer& p) {
                        if (!p.read_request()) return;
                        p.send("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 0\r\nConnection: close\r\n"
                               "Content-Length: 5\r\n\r\nbusy\n");
                      },
                      [](test::peer& p) {
                        if (!p.read_request()) return;
                        p.send("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nok\n");
                      }});
  run_result r = herald({"get", "--retry", "1", s.url("/")});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "ok\n");
}

TEST_F(Request, ExpectationFailedContentIsNotPrinted) {
  // A 417 is answered by sending again without Expect; only the final content is printed.
  // (Fails on purpose, as above: the 417's problem document is printed first; reported.)
  const auto data = dir_.write("body.txt", "0123456789");
  run_result r = herald({"send", "POST", url("/expect?answer=417"), "--data-file", data.string(), "-H",
                         "Expect: 100-continue"});
  EXPECT_EQ(r.code, 0) << r.err;
  json j = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_EQ(j["received"], 10);
}

// ----- bad usage ---------------------------------------------------------------------------------

TEST_F(Request, BadFlagsAreOneLineAndExit2) {
  const auto data_missing = (dir_.path() / "missing.txt").string();
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"get", url("/get"), "-H", "NoColon"},
           {"get", url("/get"), "-H", ": empty name"},
           {"get", url("/get"), "-u", "nocolon"},
           {"get", url("/get"), "--proxy", "ftp://x"},
           {"get", url("/get"), "--proxy-user", "a:b"},
           {"get", url("/get"), "--digest"},
           {"get", url("/get"), "--range", "x-y"},
           {"get", url("/get"), "-C"},
           {"get", url("/get"), "--segments", "2"},
           {"get", url("/get"), "--segments", "99", "-o", "x"},
           {"get", url("/get"), "--time-cond", data_missing},
           {"send", "POST", url("/anything"), "--data-file", data_missing},
           {"head", url("/get"), "--no-such-flag"},
           {"get"}}) {
    run_result r = herald(args);
    std::string shown;
    for (const std::string& a : args) shown += a + " ";
    EXPECT_EQ(r.code, 2) << shown << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << shown << ": " << r.err;
    EXPECT_THAT(r.err, StartsWith("herald")) << shown;
    EXPECT_EQ(r.out, "") << shown;
  }
  EXPECT_EQ(herald({"get", url("/get"), "-H", "NoColon"}).err,
            "herald get: -H NoColon: expected 'Name: value' with a token name\n");
  EXPECT_EQ(herald({"get", url("/get"), "--digest"}).err, "herald get: --digest needs -u USER:PASS\n");
}

// ----- downloads ---------------------------------------------------------------------------------

TEST_F(Request, DownloadGoesThroughPartAndWritesItsState) {
  run_result r = herald({"get", url("/range/5000"), "-o", file("f").string()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(test::read_file(file("f")), alphabet(5000));
  EXPECT_FALSE(fs::exists(part("f")));
  json m = meta_json("f");
  EXPECT_EQ(m["url"], url("/range/5000"));
  EXPECT_EQ(m["etag"], "\"range5000\"");
  EXPECT_EQ(m["length"], 5000);
  EXPECT_EQ(m["complete"], true);
}

TEST_F(Request, DownloadOfAnErrorWritesNothing) {
  run_result r = herald({"get", url("/status/404"), "-o", file("f").string()});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.err, HasSubstr("404 Not Found"));
  EXPECT_FALSE(fs::exists(file("f")));
  EXPECT_FALSE(fs::exists(part("f")));
}

TEST_F(Request, DownloadOfAnErrorWithFailLeavesNoPartFile) {
  // (Fails on purpose: with --fail the exit status is decided first and the empty FILE.part
  // is left behind; reported.)
  run_result r = herald({"get", "--fail", url("/status/404"), "-o", file("f").string()});
  EXPECT_EQ(r.code, 22);
  EXPECT_FALSE(fs::exists(file("f")));
  EXPECT_FALSE(fs::exists(part("f")));
}

TEST_F(Request, ResumeAppendsToATruncatedPart) {
  ASSERT_EQ(herald({"get", url("/range/5000"), "-o", file("f").string()}).code, 0);
  fs::rename(file("f"), part("f"));
  fs::resize_file(part("f"), 2000);
  run_result r = herald({"get", "-C", url("/range/5000"), "-o", file("f").string()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(test::read_file(file("f")), alphabet(5000)) << "byte-identical";
  EXPECT_FALSE(fs::exists(part("f")));
  EXPECT_EQ(meta_json("f")["complete"], true);
  EXPECT_EQ(meta_json("f")["length"], 5000);
}

TEST_F(Request, ResumeKeepsTheBytesItHasAndFetchesOnlyTheRest) {
  ASSERT_EQ(herald({"get", url("/range/5000"), "-o", file("f").string()}).code, 0);
  fs::rename(file("f"), part("f"));
  fs::resize_file(part("f"), 2000);
  {
    std::fstream f(part("f"), std::ios::in | std::ios::out | std::ios::binary);
    f.write("XXXXXXXXXX", 10);  // a marker that a restart from zero would overwrite
  }
  run_result r = herald({"get", "-C", url("/range/5000"), "-o", file("f").string()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(test::read_file(file("f")), "XXXXXXXXXX" + alphabet(5000).substr(10));
}

TEST_F(Request, ResumeOfAChangedResourceStartsAgainFromZero) {
  ASSERT_EQ(herald({"get", url("/changing/3000"), "-o", file("f").string()}).code, 0);
  const std::string first = test::read_file(file("f"));
  ASSERT_EQ(first.size(), 3000u);
  const std::string first_version = first.substr(0, first.find('\n'));
  fs::rename(file("f"), part("f"));
  fs::resize_file(part("f"), 1000);
  run_result r = herald({"get", "-C", url("/changing/3000"), "-o", file("f").string()});
  EXPECT_EQ(r.code, 0) << r.err;
  const std::string second = test::read_file(file("f"));
  ASSERT_EQ(second.size(), 3000u);
  const std::string second_version = second.substr(0, second.find('\n'));
  EXPECT_NE(second_version, first_version);
  EXPECT_EQ(second.find(first_version + "\n"), std::string::npos) << "never spliced";
}

TEST_F(Request, ResumeWithoutSavedValidatorStartsAgain) {
  const std::string p = part("f");
  { std::ofstream(p, std::ios::binary) << "ZZZZZZZZZZ"; }
  run_result r = herald({"get", "-C", url("/range/100"), "-o", file("f").string()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("no validator saved"));
  EXPECT_EQ(test::read_file(file("f")), alphabet(100));
}

TEST_F(Request, ResumeOfACompleteFileIs416AndLeavesItComplete) {
  ASSERT_EQ(herald({"get", url("/range/3000"), "-o", file("f").string()}).code, 0);
  run_result r = herald({"get", "-C", url("/range/3000"), "-o", file("f").string()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("already complete"));
  EXPECT_EQ(test::read_file(file("f")), alphabet(3000));
  EXPECT_FALSE(fs::exists(part("f")));
  EXPECT_EQ(meta_json("f")["complete"], true);
}

TEST_F(Request, RevalidateGets304AndLeavesTheFileUntouched) {
  ASSERT_EQ(herald({"get", url("/etag/abc"), "-o", file("f").string()}).code, 0);
  const std::string before = test::read_file(file("f"));
  ASSERT_FALSE(before.empty());
  EXPECT_EQ(meta_json("f")["etag"], "\"abc\"");
  const struct timespec t0 = mtime_of(file("f"));
  std::this_thread::sleep_for(20ms);
  run_result r = herald({"get", "--revalidate", "--json", url("/etag/abc"), "-o", file("f").string()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("is up to date (304)"));
  EXPECT_EQ(json::parse(r.out, nullptr, false)["status"], 304);
  const struct timespec t1 = mtime_of(file("f"));
  EXPECT_EQ(t1.tv_sec, t0.tv_sec);
  EXPECT_EQ(t1.tv_nsec, t0.tv_nsec);
  EXPECT_EQ(test::read_file(file("f")), before);
  EXPECT_FALSE(fs::exists(part("f")));
}

TEST_F(Request, RevalidateFetchesAChangedResourceAgain) {
  ASSERT_EQ(herald({"get", url("/changing/500"), "-o", file("f").string()}).code, 0);
  const std::string before = test::read_file(file("f"));
  run_result r = herald({"get", "--revalidate", url("/changing/500"), "-o", file("f").string()});
  EXPECT_EQ(r.code, 0) << r.err;
  const std::string after = test::read_file(file("f"));
  EXPECT_EQ(after.size(), 500u);
  EXPECT_NE(after, before);
}

TEST_F(Request, SegmentsGiveTheSameFileAsOneStream) {
  ASSERT_EQ(herald({"get", url("/range/10000"), "-o", file("one").string()}).code, 0);
  run_result r = herald({"get", "--segments", "4", url("/range/10000"), "-o", file("four").string()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("one stream")));
  EXPECT_EQ(test::read_file(file("four")), test::read_file(file("one")));
  EXPECT_EQ(test::read_file(file("four")), alphabet(10000));
  EXPECT_FALSE(fs::exists(part("four")));
  json m = meta_json("four");
  EXPECT_EQ(m["complete"], true);
  EXPECT_EQ(m["length"], 10000);
  EXPECT_EQ(m["etag"], "\"range10000\"");
}

TEST_F(Request, SegmentsFallBackToOneStreamWithoutRanges) {
  // /bytes ignores Range (a 200), so the probe says: one stream.
  run_result r = herald({"get", "--segments", "4", url("/bytes/3000?seed=7"), "-o", file("f").string()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(test::read_file(file("f")), direct("/bytes/3000?seed=7"));
}

TEST_F(Request, SegmentsFallBackToOneStreamWithoutAStrongETag) {
  // /conditional serves ranges with a weak ETag only.
  const std::string path = "/conditional?etag=v1&weak=1";
  run_result r = herald({"get", "--segments", "2", url(path), "-o", file("f").string()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("no strong ETag"));
  EXPECT_EQ(test::read_file(file("f")), direct(path));
}

TEST_F(Request, InterruptedDownloadLeavesOnlyThePart) {
  run_result r = herald({"get", url("/drop/100?length=1000"), "-o", file("f").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("100 of 1000"));
  EXPECT_FALSE(fs::exists(file("f")));
  ASSERT_TRUE(fs::exists(part("f")));
  EXPECT_EQ(fs::file_size(part("f")), 100u);
  json m = meta_json("f");
  EXPECT_EQ(m["complete"], false);
  EXPECT_EQ(m["length"], 1000);
}

}  // namespace
}  // namespace herald::cli
