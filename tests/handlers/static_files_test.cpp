// The file server of `herald serve` (src/handlers/static_files.cpp) behind a
// server::resource_handler, served by an in-process server over loopback: files (sent with
// sendfile), HEAD, validators and conditional requests, ranges, precompressed variants,
// directories and listings, dotfiles, traversal attempts and symlinks that leave the root, the
// methods it refuses; path rules (gone, blocked, redirect, require-precondition, early-hints);
// the same behaviours with curl; and the resource itself, driven directly
// through the engine, for a file that changes under it.

#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <herald/core/http_date.hpp>
#include <herald/handlers/static_files.hpp>
#include <herald/server/engine.hpp>
#include <herald/server/resource_handler.hpp>

#include "net/change_watch.hpp"
#include "support/raw_client.hpp"
#include "support/test_cases.hpp"

namespace herald::handlers {
namespace {

using namespace std::chrono_literals;
using test::PrintTo;
using test::raw_client;
using test::raw_request;
using testing::HasSubstr;
using testing::Not;

constexpr std::string_view secret = "outside the root: never served\n";

// dir/www is the root; dir/secret.txt and dir/outside/ lie next to it.
class StaticFiles : public testing::Test {
 protected:
  void SetUp() override {
    dir_.write("secret.txt", secret);
    dir_.write("outside/index.html", secret);
    hello_ = dir_.write("www/hello.txt", "hello world\n");
    timespec times[2] = {{1700000000, 0}, {1700000000, 0}};
    ::utimensat(AT_FDCWD, hello_.c_str(), times, 0);
    dir_.write("www/empty.txt", "");
    dir_.write("www/page.HTML", "<p>hi</p>\n");
    dir_.write("www/docs/index.html", "<h1>docs</h1>\n");
    dir_.write("www/docs/guide.md", "# guide\n");
    std::filesystem::create_directories(root() / "no-index");
    dir_.write("www/.env", "SECRET=1\n");
    dir_.write("www/.git/config", "[core]\n");
    std::filesystem::create_symlink("hello.txt", root() / "link-in.txt");
    std::filesystem::create_symlink(dir_.path() / "secret.txt", root() / "link-out.txt");
    std::filesystem::create_symlink(dir_.path() / "outside", root() / "outdir");
  }

  static_options options(bool show_hidden = false) const {
    static_options o;
    o.root = root();
    o.show_hidden = show_hidden;
    return o;
  }
  void start(bool show_hidden = false) { start(options(show_hidden)); }
  void start(static_options o, bool trace = false) {
    files_.emplace(std::move(o));
    server::resource_handler_options h;
    h.trace = trace;
    handler_.emplace(*files_, h);
    server_.emplace(test::test_options(), *handler_);
  }
  // nginx's open_file_cache_valid: where the watch cannot serve, no stat for that long.
  void start_with_file_cache_valid(std::chrono::milliseconds valid) {
    static_options o = options();
    o.file_cache_valid = valid;
    start(std::move(o));
  }
  std::filesystem::path root() const { return dir_.path() / "www"; }
  raw_client connect() { return server_->connect(); }
  std::optional<test::http_response> fetch(raw_client& c, std::string_view method,
                                           std::string_view target,
                                           std::vector<std::string> lines = {}) {
    if (!c.send(raw_request(method, target, std::move(lines)))) return std::nullopt;
    return c.read_response(method);
  }
  std::optional<test::http_response> fetch(std::string_view method, std::string_view target,
                                           std::vector<std::string> lines = {}) {
    raw_client c = connect();
    return fetch(c, method, target, std::move(lines));
  }

  test::temp_dir dir_;
  std::filesystem::path hello_;
  std::optional<static_files> files_;
  std::optional<server::resource_handler> handler_;
  std::optional<test::running_server> server_;
};

TEST_F(StaticFiles, GetServesTheFileWithItsMetadata) {
  start();
  raw_client c = connect();
  auto r = fetch(c, "GET", "/hello.txt");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello world\n");
  EXPECT_EQ(r->field("Content-Length"), "12");
  EXPECT_EQ(r->field("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r->field("Last-Modified"), "Tue, 14 Nov 2023 22:13:20 GMT");
  EXPECT_TRUE(r->has("Date"));
  EXPECT_EQ(r->field("Server"), "herald");
  EXPECT_FALSE(r->has_token("Connection", "close"));
  auto again = fetch(c, "GET", "/docs/guide.md");
  ASSERT_TRUE(again) << "the connection serves on after a file";
  EXPECT_EQ(again->body, "# guide\n");
  EXPECT_EQ(again->field("Content-Type"), "text/markdown; charset=utf-8");
}

TEST_F(StaticFiles, LargeFileArrivesWhole) {
  std::string content(3 << 20, '\0');
  std::mt19937 random(42);
  for (char& ch : content) ch = static_cast<char>(random());
  dir_.write("www/large.bin", content);
  start();
  raw_client c = connect();
  auto r = fetch(c, "GET", "/large.bin");
  ASSERT_TRUE(r) << to_string(c.last_end());
  EXPECT_EQ(r->field("Content-Type"), "application/octet-stream");
  EXPECT_EQ(r->body.size(), content.size());
  EXPECT_TRUE(r->body == content);
  auto next = fetch(c, "GET", "/hello.txt");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "hello world\n");
}

TEST_F(StaticFiles, HeadHasTheFieldsOfGetAndNoContent) {
  start();
  raw_client c = connect();
  auto r = fetch(c, "HEAD", "/hello.txt");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->field("Content-Length"), "12");
  EXPECT_EQ(r->field("Last-Modified"), "Tue, 14 Nov 2023 22:13:20 GMT");
  EXPECT_EQ(r->body, "");
  EXPECT_TRUE(c.stays_quiet(100ms)) << "content after HEAD: " << c.buffered();
  auto next = fetch(c, "GET", "/hello.txt");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "hello world\n");
}

TEST_F(StaticFiles, EmptyFileHasLengthZero) {
  start();
  auto r = fetch("GET", "/empty.txt");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->field("Content-Length"), "0");
  EXPECT_EQ(r->body, "");
}

TEST_F(StaticFiles, DirectoryWithoutSlashRedirectsKeepingTheQuery) {
  start();
  raw_client c = connect();
  auto r = fetch(c, "GET", "/docs?lang=en&x=1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 301);
  EXPECT_EQ(r->field("Location"), "/docs/?lang=en&x=1");
  auto plain = fetch(c, "GET", "/docs");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 301);
  EXPECT_EQ(plain->field("Location"), "/docs/");
}

TEST_F(StaticFiles, DirectoryWithSlashServesItsIndex) {
  start();
  auto r = fetch("GET", "/docs/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "<h1>docs</h1>\n");
  EXPECT_EQ(r->field("Content-Type"), "text/html; charset=utf-8");
}

// Listings are on by default since issue 5; with them off a directory without an index is 403.
TEST_F(StaticFiles, DirectoryWithoutIndexIsForbiddenWhenListingsAreOff) {
  static_options o = options();
  o.listings = false;
  start(o);
  auto r = fetch("GET", "/no-index/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
}

TEST_F(StaticFiles, MissingFileIs404) {
  start();
  auto r = fetch("GET", "/nothing-here.txt");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->field("Content-Length"), std::to_string(r->body.size()));
}

// "/hello.txt/" names a directory that does not exist (POSIX: ENOTDIR), not the file.
TEST_F(StaticFiles, FileNamedAsADirectoryIsNotServed) {
  start();
  auto r = fetch("GET", "/hello.txt/");
  ASSERT_TRUE(r);
  EXPECT_NE(r->status, 200) << r->body;
}

TEST_F(StaticFiles, DotfilesAreHiddenUnlessShown) {
  start();
  for (std::string target : {"/.env", "/.git/config", "/.git/"}) {
    auto r = fetch("GET", target);
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 404) << target;
    EXPECT_THAT(r->body, Not(HasSubstr("SECRET"))) << target;
  }
}

TEST_F(StaticFiles, DotfilesAreServedWhenShown) {
  start(true);
  auto r = fetch("GET", "/.env");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "SECRET=1\n");
}

struct traversal_case {
  std::string name;
  std::string target;
};

class Traversal : public StaticFiles, public testing::WithParamInterface<traversal_case> {};

TEST_P(Traversal, IsRejected) {
  start();
  auto r = fetch("GET", GetParam().target);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(r->body, Not(HasSubstr(secret)));
}

INSTANTIATE_TEST_SUITE_P(Paths, Traversal,
                         testing::Values(traversal_case{"DotDot", "/../secret.txt"},
                                         traversal_case{"DotDotDeeper", "/docs/../../secret.txt"},
                                         traversal_case{"EncodedDotDot", "/%2e%2e/secret.txt"},
                                         traversal_case{"EncodedDotDotUpperCase",
                                                        "/docs/%2E%2E/%2E%2E/secret.txt"},
                                         traversal_case{"EncodedSlash", "/..%2fsecret.txt"},
                                         traversal_case{"Backslash", "/..%5csecret.txt"},
                                         traversal_case{"EncodedNul", "/hello.txt%00.html"}),
                         test::case_name);

TEST_F(StaticFiles, SymlinkInsideTheRootIsServed) {
  start();
  auto r = fetch("GET", "/link-in.txt");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello world\n");
}

TEST_F(StaticFiles, SymlinkLeavingTheRootIsForbidden) {
  start();
  for (std::string target : {"/link-out.txt", "/outdir/", "/outdir/index.html"}) {
    auto r = fetch("GET", target);
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 403) << target;
    EXPECT_THAT(r->body, Not(HasSubstr(secret))) << target;
  }
}

TEST_F(StaticFiles, OtherMethodsAnswer405WithAllow) {
  start();
  raw_client c = connect();
  auto r = fetch(c, "DELETE", "/hello.txt");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->field("Allow"), "GET, HEAD, OPTIONS");
  EXPECT_FALSE(r->has_token("Connection", "close")) << "no content was left unread";
  // With content the handler will not read, the connection closes after the 405.
  auto post = fetch(c, "POST", "/hello.txt", {"Content-Length: 5"});
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->field("Allow"), "GET, HEAD, OPTIONS");
  EXPECT_TRUE(post->has_token("Connection", "close"));
  EXPECT_TRUE(c.wait_closed(2s));
  EXPECT_TRUE(std::filesystem::exists(hello_));
}

TEST_F(StaticFiles, OptionsAnswers204WithAllow) {
  start();
  auto r = fetch("OPTIONS", "/hello.txt");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->field("Allow"), "GET, HEAD, OPTIONS");
  EXPECT_FALSE(r->has("Content-Length"));
}

// A client that vanishes in the middle of a file must cost the server that connection only.
// When the client resets the connection, the next sendfile(2) fails with EPIPE and, unlike the
// server's own writes (MSG_NOSIGNAL), raises SIGPIPE, which ends a process that embeds the
// server without ignoring that signal (`herald serve` ignores it; a library user need not).
// Each scenario runs in a child process, so that the signal fails this test alone.
class VanishingClient : public StaticFiles, public testing::WithParamInterface<bool> {};

TEST_P(VanishingClient, InTheMiddleOfAFileLeavesTheServerServing) {
  // "fast": the child is forked from this single-threaded process and shares the fixture's
  // directory, which the parent removes whatever becomes of the child.
  GTEST_FLAG_SET(death_test_style, "fast");
  const bool half_close_first = GetParam();
  dir_.write("www/large.bin", std::string(32 << 20, 'L'));
  EXPECT_EXIT(
      {
        int code = 3;
        start();
        for (int i = 0; i < 5; ++i) {
          raw_client c = connect();
          c.send(raw_request("GET", "/large.bin"));
          if (half_close_first) c.shutdown_write();
          c.wait_readable(2s);
          c.reset();
        }
        {
          raw_client after = connect();
          auto r = fetch(after, "GET", "/hello.txt");
          if (r && r->status == 200) code = 0;
        }
        server_.reset();
        files_.reset();
        std::_Exit(code);
      },
      testing::ExitedWithCode(0), "");
}

INSTANTIATE_TEST_SUITE_P(Resets, VanishingClient, testing::Values(false, true),
                         [](const testing::TestParamInfo<bool>& param) {
                           return std::string(param.param ? "AfterHalfClose" : "Abruptly");
                         });

struct media_case {
  std::string name;
  std::string file;
  std::string type;
};

class MediaType : public testing::TestWithParam<media_case> {};

TEST_P(MediaType, FollowsTheExtension) {
  EXPECT_EQ(media_type_for(GetParam().file), GetParam().type);
}

INSTANTIATE_TEST_SUITE_P(
    Names, MediaType,
    testing::Values(media_case{"Html", "index.html", "text/html; charset=utf-8"},
                    media_case{"UpperCaseExtension", "PAGE.HTML", "text/html; charset=utf-8"},
                    media_case{"Css", "a.css", "text/css; charset=utf-8"},
                    media_case{"Js", "app.js", "text/javascript; charset=utf-8"},
                    media_case{"Svg", "logo.svg", "image/svg+xml"},
                    media_case{"Wasm", "m.wasm", "application/wasm"},
                    media_case{"LastExtensionCounts", "archive.tar.gz", "application/gzip"},
                    media_case{"Zstandard", "data.zst", "application/zstd"},
                    media_case{"TextGetsUtf8", "notes.txt", "text/plain; charset=utf-8"},
                    media_case{"DirectoryDotIsNotAnExtension", "v1.2/README",
                               "application/octet-stream"},
                    media_case{"TrailingDot", "name.", "application/octet-stream"},
                    media_case{"NoExtension", "README", "application/octet-stream"},
                    media_case{"Unknown", "data.xyz", "application/octet-stream"}),
    test::case_name);

// ---------------------------------------------------------------------------------------------
// Validators, conditional requests and ranges (RFC 9110 §8.8, §13, §14), decided by the engine.

// The documented ETag: "<inode>-<size>-<mtime in ns>", lowercase hex.
std::string expected_etag(const std::filesystem::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return "stat failed";
  const auto ns = static_cast<std::uint64_t>(st.st_mtim.tv_sec) * 1'000'000'000u +
                  static_cast<std::uint64_t>(st.st_mtim.tv_nsec);
  char buffer[80];
  std::snprintf(buffer, sizeof buffer, "\"%llx-%llx-%llx\"",
                static_cast<unsigned long long>(st.st_ino),
                static_cast<unsigned long long>(st.st_size), static_cast<unsigned long long>(ns));
  return buffer;
}

// Whether the worker's inotify watch covers files beneath `dir`: not on a file system whose
// changes can bypass this kernel (the temporary directory could be on one).
bool watchable(const std::filesystem::path& dir) {
  struct statfs fs {};
  return ::statfs(dir.c_str(), &fs) == 0 && net::inotify_sees_every_change(fs);
}

// The directories this process's inotify instances watch, from /proc.
std::size_t inotify_watches() {
  std::size_t count = 0;
  for (const auto& fd : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    if (std::filesystem::read_symlink(fd.path(), ec) != "anon_inode:inotify") continue;
    std::ifstream info("/proc/self/fdinfo/" + fd.path().filename().string());
    for (std::string line; std::getline(info, line);) count += line.starts_with("inotify wd:");
  }
  return count;
}

void set_mtime(const std::filesystem::path& p, std::int64_t seconds, long nanoseconds = 0) {
  timespec times[2] = {{seconds, nanoseconds}, {seconds, nanoseconds}};
  ::utimensat(AT_FDCWD, p.c_str(), times, 0);
}

// 1000 octets: byte i is 'a' + i % 26.
std::string alphabet(std::size_t n) {
  std::string s(n, ' ');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

struct body_part {
  std::string content_type;
  std::string content_range;
  std::string data;
};

// The parts of a multipart/byteranges body (RFC 9110 §14.6); empty when it is malformed.
std::vector<body_part> parse_byteranges(std::string_view body, std::string_view boundary) {
  std::vector<body_part> parts;
  const std::string delimiter = "--" + std::string(boundary);
  if (!body.starts_with(delimiter)) return {};
  std::size_t at = delimiter.size();
  while (true) {
    if (body.substr(at, 4) == "--\r\n")
      return at + 4 == body.size() ? parts : std::vector<body_part>{};
    if (body.substr(at, 2) != "\r\n") return {};
    at += 2;
    const std::size_t head_end = body.find("\r\n\r\n", at);
    if (head_end == std::string_view::npos) return {};
    body_part part;
    std::string_view head = body.substr(at, head_end - at);
    while (!head.empty()) {
      const std::size_t eol = std::min(head.find("\r\n"), head.size());
      const std::string_view line = head.substr(0, eol);
      if (line.starts_with("Content-Type: ")) part.content_type = line.substr(14);
      if (line.starts_with("Content-Range: ")) part.content_range = line.substr(15);
      head.remove_prefix(std::min(eol + 2, head.size()));
    }
    at = head_end + 4;
    const std::size_t next = body.find("\r\n" + delimiter, at);
    if (next == std::string_view::npos) return {};
    part.data = body.substr(at, next - at);
    parts.push_back(std::move(part));
    at = next + 2 + delimiter.size();
  }
}

std::string boundary_of(const test::http_response& r) {
  const std::string type = r.field("Content-Type").value_or("");
  const std::string marker = "multipart/byteranges; boundary=";
  return type.starts_with(marker) ? type.substr(marker.size()) : std::string();
}

TEST_F(StaticFiles, OkCarriesValidatorsAcceptRangesAndNosniff) {
  set_mtime(hello_, 1700000000, 123456789);
  start();
  auto r = fetch("GET", "/hello.txt");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->field("ETag"), expected_etag(hello_));
  EXPECT_THAT(*r->field("ETag"), testing::EndsWith("-c-17979cfe3d85cd15\""))
      << "size 12, mtime 1700000000.123456789 s in ns";
  EXPECT_EQ(r->field("Last-Modified"), "Tue, 14 Nov 2023 22:13:20 GMT");
  EXPECT_EQ(r->field("Accept-Ranges"), "bytes");
  EXPECT_EQ(r->field("X-Content-Type-Options"), "nosniff");
  EXPECT_FALSE(r->has("Vary")) << "a file without siblings is not negotiated";
  EXPECT_FALSE(r->has("Cache-Control"));
  EXPECT_FALSE(r->has("Herald-Trace")) << "tracing is off by default";
}

TEST_F(StaticFiles, EtagChangesWithTheFile) {
  start();
  auto before = fetch("GET", "/hello.txt");
  ASSERT_TRUE(before);
  set_mtime(hello_, 1700000000, 1);
  auto after = fetch("GET", "/hello.txt");
  ASSERT_TRUE(after);
  EXPECT_NE(before->field("ETag"), after->field("ETag")) << "a nanosecond apart";
}

TEST_F(StaticFiles, IfNoneMatchWithTheCurrentTagIs304) {
  start();
  const std::string etag = expected_etag(hello_);
  raw_client c = connect();
  auto r = fetch(c, "GET", "/hello.txt", {"If-None-Match: \"other\", " + etag});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 304);
  EXPECT_EQ(r->field("ETag"), etag);
  EXPECT_EQ(r->body, "");
  EXPECT_FALSE(r->has("Content-Length"));
  EXPECT_FALSE(r->has("Content-Type"));
  EXPECT_EQ(r->field("X-Content-Type-Options"), "nosniff");
  // Weak comparison (RFC 9110 §13.1.2): W/"x" matches "x".
  auto weak = fetch(c, "GET", "/hello.txt", {"If-None-Match: W/" + etag});
  ASSERT_TRUE(weak);
  EXPECT_EQ(weak->status, 304);
  auto head = fetch(c, "HEAD", "/hello.txt", {"If-None-Match: *"});
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 304);
  auto other = fetch(c, "GET", "/hello.txt", {"If-None-Match: \"other\""});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
  EXPECT_EQ(other->body, "hello world\n");
}

TEST_F(StaticFiles, IfMatchMismatchIs412) {
  start();
  raw_client c = connect();
  auto r = fetch(c, "GET", "/hello.txt", {"If-Match: \"not-the-tag\""});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 412);
  // Strong comparison (RFC 9110 §13.1.1): a weak form of the right tag does not match either.
  auto weak = fetch(c, "GET", "/hello.txt", {"If-Match: W/" + expected_etag(hello_)});
  ASSERT_TRUE(weak);
  EXPECT_EQ(weak->status, 412);
  auto match = fetch(c, "GET", "/hello.txt", {"If-Match: " + expected_etag(hello_)});
  ASSERT_TRUE(match);
  EXPECT_EQ(match->status, 200);
}

TEST_F(StaticFiles, IfModifiedSince) {
  start();
  raw_client c = connect();
  auto same = fetch(c, "GET", "/hello.txt", {"If-Modified-Since: Tue, 14 Nov 2023 22:13:20 GMT"});
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 304);
  EXPECT_EQ(same->field("ETag"), expected_etag(hello_));
  auto earlier =
      fetch(c, "GET", "/hello.txt", {"If-Modified-Since: Tue, 14 Nov 2023 22:13:19 GMT"});
  ASSERT_TRUE(earlier);
  EXPECT_EQ(earlier->status, 200);
  // RFC 9110 §13.1.3: an invalid date is ignored.
  auto invalid = fetch(c, "GET", "/hello.txt", {"If-Modified-Since: yesterday"});
  ASSERT_TRUE(invalid);
  EXPECT_EQ(invalid->status, 200);
}

// RFC 9110 §13.1.3: If-Modified-Since is ignored when If-None-Match is present.
TEST_F(StaticFiles, IfNoneMatchOverridesIfModifiedSince) {
  start();
  raw_client c = connect();
  auto changed =
      fetch(c, "GET", "/hello.txt",
            {"If-None-Match: \"old\"", "If-Modified-Since: Tue, 14 Nov 2023 22:13:20 GMT"});
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->status, 200) << "the tag differs; the date alone would have said 304";
  auto same = fetch(c, "GET", "/hello.txt",
                    {"If-None-Match: " + expected_etag(hello_),
                     "If-Modified-Since: Mon, 01 Jan 2001 00:00:00 GMT"});
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 304) << "the tag matches; the date alone would have said 200";
}

TEST_F(StaticFiles, SingleRangeIs206WithContentRange) {
  dir_.write("www/alphabet.txt", alphabet(1000));
  start();
  raw_client c = connect();
  auto r = fetch(c, "GET", "/alphabet.txt", {"Range: bytes=10-19"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->field("Content-Range"), "bytes 10-19/1000");
  EXPECT_EQ(r->field("Content-Length"), "10");
  EXPECT_EQ(r->field("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r->field("ETag"), expected_etag(root() / "alphabet.txt"));
  EXPECT_EQ(r->body, alphabet(1000).substr(10, 10));
  auto suffix = fetch(c, "GET", "/alphabet.txt", {"Range: bytes=-5"});
  ASSERT_TRUE(suffix);
  EXPECT_EQ(suffix->status, 206);
  EXPECT_EQ(suffix->field("Content-Range"), "bytes 995-999/1000");
  EXPECT_EQ(suffix->body, alphabet(1000).substr(995));
  // RFC 9110 §14.2: a malformed Range is ignored.
  auto malformed = fetch(c, "GET", "/alphabet.txt", {"Range: bytes=5-2"});
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 200);
  EXPECT_EQ(malformed->body.size(), 1000u);
}

TEST_F(StaticFiles, RangeOfALargeFileComesFromSendfile) {
  std::string content(200000, '\0');
  std::mt19937 random(7);
  for (char& ch : content) ch = static_cast<char>(random());
  dir_.write("www/large.bin", content);
  start();
  raw_client c = connect();
  auto r = fetch(c, "GET", "/large.bin", {"Range: bytes=100000-"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->field("Content-Range"), "bytes 100000-199999/200000");
  EXPECT_TRUE(r->body == content.substr(100000));
  // Small ranges: within the snapshot of its first 16 KiB, across its end, and beyond it.
  for (const auto& [first, last] : {std::pair{1000, 2023},
                                    {0, 0},
                                    {16000, 16383},
                                    {16000, 17023},
                                    {16384, 16384},
                                    {150000, 151023},
                                    {199000, 199999}}) {
    const std::string range = std::to_string(first) + "-" + std::to_string(last);
    auto small = fetch(c, "GET", "/large.bin", {"Range: bytes=" + range});
    ASSERT_TRUE(small) << range;
    EXPECT_EQ(small->status, 206) << range;
    EXPECT_EQ(small->field("Content-Range"), "bytes " + range + "/200000");
    EXPECT_TRUE(small->body == content.substr(first, last - first + 1)) << range;
  }
}

class MultipleRanges : public StaticFiles, public testing::WithParamInterface<std::size_t> {};

// Both sizes: a small file (text pieces from one pread) and a large one (file parts).
TEST_P(MultipleRanges, AreSentAsMultipartByteranges) {
  const std::size_t size = GetParam();
  const std::string content = alphabet(size);
  dir_.write("www/data.txt", content);
  start();
  auto c = connect();
  auto r = fetch(c, "GET", "/data.txt", {"Range: bytes=0-9, 500-509, -3"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_FALSE(r->has("Content-Range")) << "each part carries its own";
  const std::string boundary = boundary_of(*r);
  ASSERT_FALSE(boundary.empty()) << r->field("Content-Type").value_or("(none)");
  EXPECT_EQ(r->field("Content-Length"), std::to_string(r->body.size()));
  const std::vector<body_part> parts = parse_byteranges(r->body, boundary);
  ASSERT_EQ(parts.size(), 3u) << r->body;
  const std::string length = std::to_string(size);
  EXPECT_EQ(parts[0].content_range, "bytes 0-9/" + length);
  EXPECT_EQ(parts[0].data, content.substr(0, 10));
  EXPECT_EQ(parts[1].content_range, "bytes 500-509/" + length);
  EXPECT_EQ(parts[1].data, content.substr(500, 10));
  EXPECT_EQ(parts[2].content_range,
            "bytes " + std::to_string(size - 3) + "-" + std::to_string(size - 1) + "/" + length);
  EXPECT_EQ(parts[2].data, content.substr(size - 3));
  for (const body_part& p : parts) EXPECT_EQ(p.content_type, "text/plain; charset=utf-8");
}

INSTANTIATE_TEST_SUITE_P(Sizes, MultipleRanges, testing::Values(1000, 100000),
                         [](const testing::TestParamInfo<std::size_t>& param) {
                           return param.param > 16384 ? std::string("Large") : std::string("Small");
                         });

TEST_F(StaticFiles, UnsatisfiableRangeIs416WithTheLength) {
  start();
  auto r = fetch("GET", "/hello.txt", {"Range: bytes=12-20"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 416);
  EXPECT_EQ(r->field("Content-Range"), "bytes */12");
}

// RFC 9110 §13.1.5: a weak entity tag in If-Range never matches, so the whole file is sent.
TEST_F(StaticFiles, IfRangeWithAWeakTagSendsTheWholeFile) {
  start();
  raw_client c = connect();
  auto weak =
      fetch(c, "GET", "/hello.txt", {"Range: bytes=0-4", "If-Range: W/" + expected_etag(hello_)});
  ASSERT_TRUE(weak);
  EXPECT_EQ(weak->status, 200);
  EXPECT_EQ(weak->body, "hello world\n");
  auto strong =
      fetch(c, "GET", "/hello.txt", {"Range: bytes=0-4", "If-Range: " + expected_etag(hello_)});
  ASSERT_TRUE(strong);
  EXPECT_EQ(strong->status, 206);
  EXPECT_EQ(strong->body, "hello");
  auto date = fetch(c, "GET", "/hello.txt",
                    {"Range: bytes=0-4", "If-Range: Tue, 14 Nov 2023 22:13:20 GMT"});
  ASSERT_TRUE(date);
  EXPECT_EQ(date->status, 206) << "Last-Modified is long past: a strong validator";
}

TEST_F(StaticFiles, RangeOnAMissingFileIs404) {
  start();
  auto r = fetch("GET", "/nothing.txt", {"Range: bytes=0-4", "If-Match: \"x\""});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404) << "neither 206, 416 nor 412 (RFC 9110 §13.2.1)";
  EXPECT_FALSE(r->has("Content-Range"));
}

TEST_F(StaticFiles, RangeWithMatchingIfNoneMatchIs304) {
  start();
  auto r =
      fetch("GET", "/hello.txt", {"Range: bytes=0-4", "If-None-Match: " + expected_etag(hello_)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 304);
  EXPECT_FALSE(r->has("Content-Range"));
}

// RFC 9110 §14.2: Range applies to GET only; HEAD gets the 200's fields.
TEST_F(StaticFiles, HeadWithRangeIs200WithoutContent) {
  start();
  raw_client c = connect();
  auto r = fetch(c, "HEAD", "/hello.txt", {"Range: bytes=0-4"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->field("Content-Length"), "12");
  EXPECT_FALSE(r->has("Content-Range"));
  EXPECT_EQ(r->body, "");
  EXPECT_TRUE(c.stays_quiet(100ms)) << "content after HEAD: " << c.buffered();
}

// RFC 9110 §8.8.2.1: Last-Modified is never later than Date.
TEST_F(StaticFiles, FutureModificationDateBecomesTheDate) {
  const auto future = dir_.write("www/future.txt", "from the future\n");
  set_mtime(future, 4102444800);  // 2100-01-01
  start();
  auto r = fetch("GET", "/future.txt");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  ASSERT_TRUE(r->has("Date"));
  const auto date = core::parse_http_date(*r->field("Date"));
  const auto modified = core::parse_http_date(r->field("Last-Modified").value_or(""));
  ASSERT_TRUE(date && modified);
  EXPECT_LE(*modified, *date);
  EXPECT_LE(*date - *modified, 1s) << "taken from the clock of Date";
}

// ---------------------------------------------------------------------------------------------
// Precompressed siblings (RFC 9110 §8.4, §12.5.3)

class Precompressed : public StaticFiles {
 protected:
  void SetUp() override {
    StaticFiles::SetUp();
    text_ = alphabet(3000);
    plain_ = dir_.write("www/app.js", text_);
    gz_ = dir_.write("www/app.js.gz", "pretend gzip bytes: the server never decodes them");
    set_mtime(plain_, 1700000000);
    set_mtime(gz_, 1700000001);
  }
  std::string text_;
  std::filesystem::path plain_, gz_;
};

TEST_F(Precompressed, GzipIsChosenByAcceptEncoding) {
  start();
  raw_client c = connect();
  auto r = fetch(c, "GET", "/app.js", {"Accept-Encoding: gzip, deflate"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->field("Content-Encoding"), "gzip");
  EXPECT_EQ(r->field("Content-Type"), "text/javascript; charset=utf-8") << "the file's type";
  EXPECT_EQ(r->field("Vary"), "Accept-Encoding");
  EXPECT_EQ(r->field("ETag"), expected_etag(gz_));
  EXPECT_EQ(r->body, test::read_file(gz_));
  // Ranges are of the encoded bytes (RFC 9110 §14.1.2).
  auto range = fetch(c, "GET", "/app.js", {"Accept-Encoding: gzip", "Range: bytes=0-6"});
  ASSERT_TRUE(range);
  EXPECT_EQ(range->status, 206);
  EXPECT_EQ(range->field("Content-Encoding"), "gzip");
  EXPECT_EQ(range->body, "pretend");
  auto revalidate =
      fetch(c, "GET", "/app.js", {"Accept-Encoding: gzip", "If-None-Match: " + expected_etag(gz_)});
  ASSERT_TRUE(revalidate);
  EXPECT_EQ(revalidate->status, 304);
  EXPECT_EQ(revalidate->field("Vary"), "Accept-Encoding");
}

TEST_F(Precompressed, IdentityOtherwiseStillWithVary) {
  start();
  raw_client c = connect();
  for (std::vector<std::string> lines :
       {std::vector<std::string>{}, std::vector<std::string>{"Accept-Encoding: br"},
        std::vector<std::string>{"Accept-Encoding: gzip;q=0"}}) {
    auto r = fetch(c, "GET", "/app.js", lines);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_FALSE(r->has("Content-Encoding"));
    EXPECT_EQ(r->field("Vary"), "Accept-Encoding");
    EXPECT_EQ(r->field("ETag"), expected_etag(plain_));
    EXPECT_TRUE(r->body == text_);
  }
  // The identity tag does not validate the gzip variant.
  auto other = fetch(c, "GET", "/app.js",
                     {"Accept-Encoding: gzip", "If-None-Match: " + expected_etag(plain_)});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
  EXPECT_EQ(other->field("Content-Encoding"), "gzip");
}

// RFC 9110 §12.5.3: 406 only when identity, too, is excluded.
TEST_F(Precompressed, NothingAcceptableIs406) {
  start();
  auto r = fetch("GET", "/app.js", {"Accept-Encoding: br, identity;q=0"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 406);
  EXPECT_EQ(r->field("Vary"), "Accept-Encoding");
}

TEST_F(Precompressed, BrotliIsPreferredAmongEquals) {
  dir_.write("www/app.js.br", "pretend brotli");
  set_mtime(root() / "app.js.br", 1700000001);
  start();
  auto r = fetch("GET", "/app.js", {"Accept-Encoding: gzip, br"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->field("Content-Encoding"), "br");
  EXPECT_EQ(r->body, "pretend brotli");
}

// A sibling created beside a file already served is offered at once: the worker's inotify
// watch of the directory reports it.
TEST_F(Precompressed, ASiblingCreatedLaterIsOfferedByTheNextRequest) {
  if (!watchable(root())) GTEST_SKIP() << "inotify does not see every change here";
  dir_.write("www/late.css", alphabet(100));
  set_mtime(root() / "late.css", 1700000000);
  start();
  raw_client c = connect();
  auto before = fetch(c, "GET", "/late.css", {"Accept-Encoding: gzip"});
  ASSERT_TRUE(before);
  EXPECT_FALSE(before->has("Content-Encoding"));
  dir_.write("www/late.css.gz", "pretend gzip");
  set_mtime(root() / "late.css.gz", 1700000001);
  auto after = fetch(c, "GET", "/late.css", {"Accept-Encoding: gzip"});
  ASSERT_TRUE(after);
  EXPECT_EQ(after->field("Content-Encoding"), "gzip");
}

TEST_F(Precompressed, StaleSiblingIsNotOffered) {
  set_mtime(gz_, 1600000000);
  start();
  auto r = fetch("GET", "/app.js", {"Accept-Encoding: gzip"});
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has("Content-Encoding"));
  EXPECT_FALSE(r->has("Vary"));
  EXPECT_TRUE(r->body == text_);
}

TEST_F(Precompressed, CanBeTurnedOff) {
  static_options o = options();
  o.precompressed = false;
  start(o);
  auto r = fetch("GET", "/app.js", {"Accept-Encoding: gzip"});
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has("Content-Encoding"));
  EXPECT_FALSE(r->has("Vary"));
}

TEST_F(Precompressed, TheSiblingItselfIsAPlainGzipFile) {
  start();
  auto r = fetch("GET", "/app.js.gz", {"Accept-Encoding: gzip"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->field("Content-Type"), "application/gzip");
  EXPECT_FALSE(r->has("Content-Encoding"));
}

// ---------------------------------------------------------------------------------------------
// Directory listings

class Listing : public StaticFiles {
 protected:
  void SetUp() override {
    StaticFiles::SetUp();
    set_mtime(dir_.write("www/list/b.txt", "bb"), 1700000000);
    set_mtime(dir_.write("www/list/a <&>\"'.txt", "a"), 1700000000);
    set_mtime(dir_.write("www/list/Z.txt", "zzz"), 1700000000);
    std::filesystem::create_directories(root() / "list" / "sub dir");
    dir_.write("www/list/.hidden", "secret");
    std::filesystem::create_symlink("../hello.txt", root() / "list" / "link.txt");
    std::filesystem::create_symlink(dir_.path() / "secret.txt", root() / "list" / "away.txt");
    ::mkfifo((root() / "list" / "pipe").c_str(), 0600);
  }
};

TEST_F(Listing, HtmlIsSortedEscapedAndComplete) {
  start();
  auto r = fetch("GET", "/list/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->field("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(r->field("Vary"), "Accept");
  EXPECT_THAT(r->field("ETag").value_or(""), testing::StartsWith("\"l-"));
  EXPECT_EQ(r->field("X-Content-Type-Options"), "nosniff");
  const std::string& html = r->body;
  EXPECT_THAT(html, HasSubstr("<title>Index of /list/</title>"));
  EXPECT_THAT(html, HasSubstr("<a href=\"../\">"));
  EXPECT_THAT(html,
              HasSubstr("<a href=\"a%20%3C%26%3E%22%27.txt\">a &lt;&amp;&gt;&quot;&#39;.txt</a>"));
  EXPECT_THAT(html, HasSubstr("<a href=\"sub%20dir/\">sub dir/</a></td><td>-</td>"));
  EXPECT_THAT(html, HasSubstr("<a href=\"b.txt\">b.txt</a></td><td>2</td><td><time "
                              "datetime=\"2023-11-14T22:13:20Z\">2023-11-14T22:13:20Z</time>"));
  EXPECT_THAT(html, HasSubstr("<a href=\"link.txt\">link.txt</a></td><td>12</td>"))
      << "a symlink shows its target";
  EXPECT_THAT(html, Not(HasSubstr("away.txt"))) << "its target lies outside the root";
  EXPECT_THAT(html, Not(HasSubstr(".hidden")));
  EXPECT_THAT(html, Not(HasSubstr("pipe")));
  // Directories first, then files in byte order ("Z" < "a" < "b" < "l").
  const auto sub = html.find("sub dir/"), z = html.find(">Z.txt<"), a = html.find(">a &lt;"),
             b = html.find(">b.txt<"), link = html.find(">link.txt<");
  ASSERT_NE(link, std::string::npos);
  EXPECT_LT(sub, z);
  EXPECT_LT(z, a);
  EXPECT_LT(a, b);
  EXPECT_LT(b, link);
}

TEST_F(Listing, JsonByAccept) {
  start();
  raw_client c = connect();
  auto r = fetch(c, "GET", "/list/", {"Accept: application/json"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->field("Content-Type"), "application/json");
  EXPECT_EQ(r->field("Vary"), "Accept");
  const auto doc = nlohmann::json::parse(r->body, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << r->body;
  EXPECT_EQ(doc["path"], "/list/");
  std::vector<std::string> names;
  for (const auto& e : doc["entries"]) names.push_back(e["name"]);
  EXPECT_THAT(names, testing::ElementsAre("sub dir", "Z.txt", "a <&>\"'.txt", "b.txt", "link.txt"));
  const auto& b = doc["entries"][3];
  EXPECT_EQ(b["type"], "file");
  EXPECT_EQ(b["size"], 2);
  EXPECT_EQ(b["href"], "b.txt");
  EXPECT_EQ(b["modified"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(doc["entries"][0]["type"], "directory");
  EXPECT_EQ(doc["entries"][0]["href"], "sub%20dir/");
  EXPECT_FALSE(doc["entries"][0].contains("size"));
  // Each form has its own tag, and each revalidates.
  auto html = fetch(c, "GET", "/list/");
  ASSERT_TRUE(html);
  EXPECT_NE(html->field("ETag"), r->field("ETag"));
  auto again =
      fetch(c, "GET", "/list/",
            {"Accept: application/json", "If-None-Match: " + r->field("ETag").value_or("")});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
}

TEST_F(Listing, TagChangesWhenAnEntryDoes) {
  start();
  raw_client c = connect();
  auto before = fetch(c, "GET", "/list/");
  ASSERT_TRUE(before);
  dir_.write("www/list/b.txt", "bbb");
  set_mtime(root() / "list" / "b.txt", 1700000000);
  auto after = fetch(c, "GET", "/list/", {"If-None-Match: " + before->field("ETag").value_or("")});
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200) << "a size changed";
}

TEST_F(Listing, ShowsHiddenEntriesWhenAsked) {
  start(true);
  auto r = fetch("GET", "/list/");
  ASSERT_TRUE(r);
  EXPECT_THAT(r->body, HasSubstr(">.hidden<"));
}

TEST_F(Listing, NotAcceptableWhenNeitherFormIs) {
  start();
  auto r = fetch("GET", "/list/", {"Accept: image/png"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 406);
  EXPECT_THAT(r->body, HasSubstr("text/html"));
  EXPECT_THAT(r->body, HasSubstr("application/json"));
}

TEST_F(Listing, RootListingHasNoParentLink) {
  start();
  auto r = fetch("GET", "/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->body, HasSubstr("<title>Index of /</title>"));
  EXPECT_THAT(r->body, Not(HasSubstr("href=\"../\"")));
  EXPECT_THAT(r->body, HasSubstr("href=\"hello.txt\""));
}

TEST_F(Listing, AFifoIsForbidden) {
  start();
  auto r = fetch("GET", "/list/pipe");
  ASSERT_TRUE(r) << "opening the FIFO must not block the worker";
  EXPECT_EQ(r->status, 403);
}

// ---------------------------------------------------------------------------------------------
// Redirects, methods, Cache-Control, media types, tracing

// "//host" must not become a network-path reference in Location (an open redirect).
TEST_F(StaticFiles, RedirectIsBuiltFromTheMappedPath) {
  std::filesystem::create_directories(root() / "evil.example");
  start();
  raw_client c = connect();
  auto r = fetch(c, "GET", "//evil.example");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 301);
  EXPECT_EQ(r->field("Location"), "/evil.example/");
  auto encoded = fetch(c, "GET", "/%64ocs");
  ASSERT_TRUE(encoded);
  EXPECT_EQ(encoded->field("Location"), "/docs/");
  EXPECT_EQ(encoded->field("Content-Type"), "text/html; charset=utf-8") << "a hypertext note";
}

TEST_F(StaticFiles, PostWithContentIsRefusedBeforeItIsRead) {
  start();
  raw_client c = connect();
  ASSERT_TRUE(c.send(
      raw_request("POST", "/hello.txt", {"Content-Length: 100000", "Expect: 100-continue"})));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405) << "no 100 Continue first";
  EXPECT_EQ(r->field("Allow"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(r->field("X-Content-Type-Options"), "nosniff");
}

TEST_F(StaticFiles, GetWithTooMuchContentIs413) {
  start();
  auto r = fetch("GET", "/hello.txt", {"Content-Length: 1000000"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
}

TEST_F(StaticFiles, CacheControlFollowsTheFirstMatchingRule) {
  static_options o = options();
  o.cache_rules = {*parse_cache_rule("*.txt=max-age=60"), *parse_cache_rule("/docs/*=no-cache"),
                   *parse_cache_rule("*=max-age=1")};
  start(o);
  raw_client c = connect();
  auto txt = fetch(c, "GET", "/hello.txt");
  ASSERT_TRUE(txt);
  EXPECT_EQ(txt->field("Cache-Control"), "max-age=60");
  auto not_modified = fetch(c, "GET", "/hello.txt", {"If-None-Match: " + expected_etag(hello_)});
  ASSERT_TRUE(not_modified);
  EXPECT_EQ(not_modified->status, 304);
  EXPECT_EQ(not_modified->field("Cache-Control"), "max-age=60") << "RFC 9110 §15.4.5";
  auto docs = fetch(c, "GET", "/docs/guide.md");
  ASSERT_TRUE(docs);
  EXPECT_EQ(docs->field("Cache-Control"), "no-cache");
  auto other = fetch(c, "GET", "/page.HTML");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->field("Cache-Control"), "max-age=1");
  auto missing = fetch(c, "GET", "/none.txt");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has("Cache-Control")) << "a 404 is not the file's representation";
}

struct cache_rule_case {
  std::string name;
  std::string text;
  std::optional<std::string> pattern;  // nullopt: rejected
  std::string value;
};

class CacheRuleSyntax : public testing::TestWithParam<cache_rule_case> {};

TEST_P(CacheRuleSyntax, Parses) {
  const auto& c = GetParam();
  const std::optional<cache_rule> rule = parse_cache_rule(c.text);
  ASSERT_EQ(rule.has_value(), c.pattern.has_value());
  if (!rule) return;
  EXPECT_EQ(rule->pattern, *c.pattern);
  EXPECT_EQ(rule->value, c.value);
}

INSTANTIATE_TEST_SUITE_P(
    Texts, CacheRuleSyntax,
    testing::Values(
        cache_rule_case{"Suffix", "*.css=max-age=3600", "*.css", "max-age=3600"},
        cache_rule_case{"Prefix", "/assets/*=public, immutable", "/assets/*", "public, immutable"},
        cache_rule_case{"NoEquals", "*.css", std::nullopt, ""},
        cache_rule_case{"EmptyPattern", "=no-store", std::nullopt, ""},
        cache_rule_case{"EmptyValue", "*.css=", std::nullopt, ""},
        cache_rule_case{"LineBreakInValue", "*.css=a\r\nSet-Cookie: x", std::nullopt, ""}),
    test::case_name);

TEST_F(StaticFiles, MimeTypesFileIsReadOnceAtStartup) {
  const auto types = dir_.write("mime.types",
                                "# comment\n"
                                "text/x-herald\therald hrl # trailing comment\n"
                                "application/x-md md\n"
                                "not a type\n");
  dir_.write("www/a.herald", "h");
  static_options o = options();
  o.mime_types = types;
  start(o);
  EXPECT_EQ(files_->media_types().lookup("x.HRL"), "text/x-herald; charset=utf-8");
  EXPECT_EQ(files_->media_types().lookup("x.md"), "application/x-md") << "the file wins";
  EXPECT_EQ(files_->media_types().lookup("x.png"), "image/png") << "the built-in fills gaps";
  auto r = fetch("GET", "/a.herald");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->field("Content-Type"), "text/x-herald; charset=utf-8");
  std::filesystem::remove(types);
  auto again = fetch("GET", "/a.herald");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->field("Content-Type"), "text/x-herald; charset=utf-8");
}

TEST(MediaTypeTable, MissingFileLeavesTheBuiltInTable) {
  media_type_table table;
  EXPECT_FALSE(table.load("/nonexistent/mime.types"));
  EXPECT_EQ(table.lookup("a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(table.lookup("a.unknown"), "application/octet-stream");
}

TEST_F(StaticFiles, TraceShowsThePathThroughTheEngine) {
  start(options(), true);
  raw_client c = connect();
  auto ok = fetch(c, "GET", "/hello.txt");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->field("Herald-Trace"),
            "service_available known_method method_allowed well_formed authorized forbidden "
            "content_headers legally_blocked exists representation");
  auto not_modified = fetch(c, "GET", "/hello.txt", {"If-None-Match: " + expected_etag(hello_)});
  ASSERT_TRUE(not_modified);
  EXPECT_THAT(not_modified->field("Herald-Trace").value_or(""),
              testing::EndsWith(" exists if_none_match"));
  auto missing = fetch(c, "GET", "/none");
  ASSERT_TRUE(missing);
  EXPECT_THAT(missing->field("Herald-Trace").value_or(""),
              testing::EndsWith(" exists moved gone not_found"));
  auto refused = fetch(c, "POST", "/hello.txt", {"Content-Length: 3"});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 405);
  EXPECT_EQ(refused->field("Herald-Trace"), "service_available known_method method_allowed");
}

// ---------------------------------------------------------------------------------------------
// Path rules (path_rules.hpp) on the file server: each rule over a running server.

class StaticRules : public StaticFiles {
 protected:
  void start_with(std::initializer_list<std::string_view> texts) {
    static_options o = options();
    for (std::string_view t : texts) {
      rule_result r = parse_path_rule(t);
      ASSERT_TRUE(r.rule) << r.error;
      o.rules.add(std::move(*r.rule));
    }
    start(std::move(o));
  }
};

TEST_F(StaticRules, GoneIs410EvenWhereAFileExists) {
  start_with({"gone /hello.txt", "gone /old/*"});
  raw_client c = connect();
  for (std::string_view path : {"/hello.txt", "/old", "/old/a/b.html", "/./hello.txt"}) {
    auto r = fetch(c, "GET", path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 410) << path;
    EXPECT_EQ(r->field("X-Content-Type-Options"), "nosniff");
    EXPECT_FALSE(r->has("ETag"));
  }
  auto other = fetch(c, "GET", "/docs/guide.md");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
  auto head = fetch(c, "HEAD", "/old");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 410);
  EXPECT_EQ(head->body, "");
  EXPECT_TRUE(c.stays_quiet(100ms)) << "content after HEAD: " << c.buffered();
}

TEST_F(StaticRules, RulesApplyToHiddenPathsToo) {
  start_with({"gone /.env"});
  auto r = fetch("GET", "/.env");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 410);
  EXPECT_THAT(r->body, Not(HasSubstr("SECRET")));
}

TEST_F(StaticRules, BlockedIs451WithTheBlockingEntity) {
  start_with({"blocked /docs/* https://authority.example/orders/17"});
  auto r = fetch("GET", "/docs/guide.md");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 451);
  // RFC 7725 §4: Link with rel="blocked-by" names the entity implementing the blockage.
  EXPECT_EQ(r->field("Link"), "<https://authority.example/orders/17>; rel=\"blocked-by\"");
  EXPECT_THAT(r->body, Not(HasSubstr("guide")));
}

struct rule_redirect_case {
  std::string name;
  int code;
};

class StaticRuleRedirects : public StaticRules,
                            public testing::WithParamInterface<rule_redirect_case> {};

TEST_P(StaticRuleRedirects, LocationAndAHypertextNoteExceptForHead) {
  const int code = GetParam().code;
  ASSERT_NO_FATAL_FAILURE(
      start_with({"redirect " + std::to_string(code) + " /hello.txt /docs/?a=1&b=2",
                  "redirect " + std::to_string(code) + " /old/* https://example.com/new/"}));
  raw_client c = connect();
  auto r = fetch(c, "GET", "/hello.txt");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, code);
  EXPECT_EQ(r->field("Location"), "/docs/?a=1&b=2");
  EXPECT_EQ(r->field("Content-Type"), "text/html; charset=utf-8");
  // RFC 9110 §15.4: a short hypertext note with a hyperlink to the target, escaped.
  EXPECT_THAT(r->body, HasSubstr("<a href=\"/docs/?a=1&amp;b=2\">"));
  auto prefix = fetch(c, "GET", "/old/page.html");
  ASSERT_TRUE(prefix);
  EXPECT_EQ(prefix->status, code);
  EXPECT_EQ(prefix->field("Location"), "https://example.com/new/");
  auto head = fetch(c, "HEAD", "/hello.txt");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, code);
  EXPECT_EQ(head->field("Location"), "/docs/?a=1&b=2");
  EXPECT_EQ(head->body, "");
  EXPECT_TRUE(c.stays_quiet(100ms)) << "content after HEAD: " << c.buffered();
}

INSTANTIATE_TEST_SUITE_P(Codes, StaticRuleRedirects,
                         testing::Values(rule_redirect_case{"Moved301", 301},
                                         rule_redirect_case{"Found302", 302},
                                         rule_redirect_case{"Temporary307", 307},
                                         rule_redirect_case{"Permanent308", 308}),
                         test::case_name);

TEST_F(StaticRules, RequirePreconditionCannotReach428ThroughTheFileServer) {
  start_with({"require-precondition /hello.txt"});
  raw_client c = connect();
  // The file server allows GET, HEAD and OPTIONS only: method_allowed answers 405 before the
  // engine asks requires_precondition() (path_rules_test.cpp shows the 428 on a resource that
  // allows PUT).
  auto put = fetch(c, "PUT", "/hello.txt", {"Content-Length: 0"});
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 405);
  EXPECT_EQ(put->field("Allow"), "GET, HEAD, OPTIONS");
  auto del = fetch(c, "DELETE", "/hello.txt");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 405);
  auto get = fetch(c, "GET", "/hello.txt");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, "hello world\n");
  auto conditional = fetch(c, "GET", "/hello.txt", {"If-None-Match: " + expected_etag(hello_)});
  ASSERT_TRUE(conditional);
  EXPECT_EQ(conditional->status, 304);
}

TEST_F(StaticRules, EarlyHintsSendA103BeforeTheFinalResponse) {
  start_with({"early-hints /docs/* </style.css>; rel=preload; as=style",
              "early-hints /docs/ </app.js>; rel=preload; as=script"});
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/docs/")));
  auto hints = c.read_response();
  ASSERT_TRUE(hints);
  EXPECT_EQ(hints->status, 103);
  EXPECT_EQ(hints->count("Link"), 2u);
  EXPECT_EQ(hints->fields.at(0).second, "</style.css>; rel=preload; as=style");
  EXPECT_EQ(hints->fields.at(1).second, "</app.js>; rel=preload; as=script");
  auto final_response = c.read_response();
  ASSERT_TRUE(final_response);
  EXPECT_EQ(final_response->status, 200);
  EXPECT_EQ(final_response->body, "<h1>docs</h1>\n");

  std::vector<test::http_response> interim;
  ASSERT_TRUE(c.send(raw_request("GET", "/hello.txt")));
  auto plain = c.read_final(&interim);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 200);
  EXPECT_TRUE(interim.empty()) << "a 103 for a path without early-hints rules";
}

TEST_F(StaticRules, EarlyHintsAreNotSentToHttp10) {
  start_with({"early-hints /* </style.css>; rel=preload; as=style"});
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/hello.txt", {}, "HTTP/1.0")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  // RFC 9110 §15.2: no 1xx to an HTTP/1.0 client.
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello world\n");
}

// ---------------------------------------------------------------------------------------------
// The resource driven directly, for what a server cannot time: a file that shrinks after it
// was opened and measured.

http1::request_head get_head(std::string_view path) {
  http1::request_head head;
  head.method = "GET";
  head.known_method = core::method::get;
  head.target = path;
  head.path = path;
  return head;
}

server::engine_options engine_now() {
  server::engine_options o;
  o.now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return o;
}

// A small file is read whole right after fstat: what is sent is that snapshot, whose length
// is the one the headers carry, even if the file shrinks before the response is built.
TEST_F(StaticFiles, SmallFileIsSentAsTheSnapshotTakenWhenOpened) {
  const auto file = dir_.write("www/shrinking.txt", std::string(4000, 's'));
  static_files files(options());
  const http1::request_head head = get_head("/shrinking.txt");
  server::request req{head, {}, false, {}};
  std::unique_ptr<server::resource> target = files.locate(req);
  ASSERT_EQ(::truncate(file.c_str(), 1000), 0);
  const server::engine_options o = engine_now();
  server::response r = server::decide(*target, req, o);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.size(), 4000u);
  // The next request sees the file as it is now.
  server::response next = server::decide(*files.locate(req), req, o);
  EXPECT_EQ(next.body.size(), 1000u);
}

// A large file's first 16 KiB are read when it is opened, and a range within them is sent from
// memory; any other range comes from the descriptor, as the file is when it is sent.
TEST_F(StaticFiles, RangeWithinTheBeginningOfALargeFileIsSentFromTheSnapshot) {
  dir_.write("www/growing.bin", std::string(100000, 'a'));
  static_files files(options());
  http1::request_head head = get_head("/growing.bin");
  const server::engine_options o = engine_now();
  auto with_range = [&](std::string_view range) {
    head.fields.clear();
    head.fields.push_back({"Range", range});
    server::request req{head, {}, false, {}};
    return server::decide(*files.locate(req), req, o);
  };
  auto pieces = [](const server::response& r) {
    std::string kinds;
    for (const server::content_piece& piece : r.body.pieces)
      kinds += std::holds_alternative<server::file_part>(piece) ? 'f' : 't';
    return kinds;
  };
  EXPECT_EQ(pieces(with_range("bytes=0-1023")), "t");
  EXPECT_EQ(pieces(with_range("bytes=15360-16383")), "t");
  EXPECT_EQ(pieces(with_range("bytes=15360-16384")), "f") << "one octet beyond the snapshot";
  EXPECT_EQ(pieces(with_range("bytes=50000-51023")), "f");
  const server::response whole = with_range("bytes=0-");
  EXPECT_EQ(pieces(whole), "f") << "a large range is sent with sendfile";
  EXPECT_EQ(whole.body.size(), 100000u);
}

// The worker's cache of opened files never serves a file as it was: each request compares the
// path's metadata with the cached file's.
TEST_F(StaticFiles, EditedReplacedAndRemovedFilesAreSeenByTheNextRequest) {
  start();
  raw_client c = connect();
  auto first = fetch(c, "GET", "/hello.txt");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, "hello world\n");
  // Same size, same modification time (restored): the change time still differs.
  dir_.write("www/hello.txt", "HELLO WORLD\n");
  set_mtime(hello_, 1700000000);
  auto edited = fetch(c, "GET", "/hello.txt");
  ASSERT_TRUE(edited);
  EXPECT_EQ(edited->body, "HELLO WORLD\n");
  // Replaced by a rename, as deployments do.
  const auto staged = dir_.write("www/staged.tmp", "replaced\n");
  std::filesystem::rename(staged, hello_);
  auto replaced = fetch(c, "GET", "/hello.txt");
  ASSERT_TRUE(replaced);
  EXPECT_EQ(replaced->body, "replaced\n");
  EXPECT_EQ(replaced->field("ETag"), expected_etag(hello_));
  std::filesystem::remove(hello_);
  auto removed = fetch(c, "GET", "/hello.txt");
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->status, 404);
}

// A directory on the way to a cached file that is renamed, removed or replaced changes what
// the path names: the watch of its parent reports it.
TEST_F(StaticFiles, ADirectoryRenamedOnTheWayIsSeenByTheNextRequest) {
  start();
  raw_client c = connect();
  auto first = fetch(c, "GET", "/docs/guide.md");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, "# guide\n");
  std::filesystem::rename(root() / "docs", root() / "old-docs");
  auto moved = fetch(c, "GET", "/docs/guide.md");
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->status, 404);
  dir_.write("www/docs/guide.md", "# new guide\n");
  auto replaced = fetch(c, "GET", "/docs/guide.md");
  ASSERT_TRUE(replaced);
  EXPECT_EQ(replaced->body, "# new guide\n");
  auto index = fetch(c, "GET", "/old-docs/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->body, "<h1>docs</h1>\n");
  std::filesystem::remove(root() / "old-docs" / "index.html");
  auto gone = fetch(c, "GET", "/old-docs/");
  ASSERT_TRUE(gone);
  EXPECT_NE(gone->body, "<h1>docs</h1>\n") << "a listing, no longer the index file";
}

// A symbolic link on the way would keep the watch from seeing changes where it leads, so such
// a path is checked by a stat per request.
TEST_F(StaticFiles, AFileReachedThroughASymbolicLinkIsSeenChangedByTheNextRequest) {
  std::filesystem::create_directory_symlink("docs", root() / "docs-link");
  start();
  raw_client c = connect();
  auto first = fetch(c, "GET", "/docs-link/guide.md");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, "# guide\n");
  auto through_file_link = fetch(c, "GET", "/link-in.txt");
  ASSERT_TRUE(through_file_link);
  EXPECT_EQ(through_file_link->body, "hello world\n");
  dir_.write("www/docs/guide.md", "# edited\n");
  dir_.write("www/hello.txt", "edited world\n");
  auto edited = fetch(c, "GET", "/docs-link/guide.md");
  ASSERT_TRUE(edited);
  EXPECT_EQ(edited->body, "# edited\n");
  auto edited_target = fetch(c, "GET", "/link-in.txt");
  ASSERT_TRUE(edited_target);
  EXPECT_EQ(edited_target->body, "edited world\n");
}

// inotify reports a write to the directory of the path it was made through: one through a hard
// link from outside the root goes unreported, and the worker serves the file it has until it
// looks the path up again, a second later at most.
TEST_F(StaticFiles, AWriteThroughAHardLinkFromOutsideTheRootIsSeenWithinASecond) {
  if (!watchable(root())) GTEST_SKIP() << "inotify does not see every change here";
  start();
  raw_client c = connect();
  const auto looked_up = std::chrono::steady_clock::now();
  auto first = fetch(c, "GET", "/hello.txt");
  ASSERT_TRUE(first);
  std::filesystem::create_hard_link(hello_, dir_.path() / "hello-link.txt");
  dir_.write("hello-link.txt", "HELLO WORLD\n");
  auto cached = fetch(c, "GET", "/hello.txt");
  ASSERT_TRUE(cached);
  if (std::chrono::steady_clock::now() - looked_up < 900ms) {
    EXPECT_EQ(cached->body, "hello world\n") << "served with no system call: the watch saw nothing";
  }
  std::this_thread::sleep_for(1100ms);
  auto after = fetch(c, "GET", "/hello.txt");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->body, "HELLO WORLD\n");
}

// Directories whose cached files changed stay watched for the paths that come back, but not
// without end: past a bound, those no cached path lies beneath any more are let go.
TEST_F(StaticFiles, WatchesOfDirectoriesNoLongerCachedAreLetGo) {
  if (!watchable(root())) GTEST_SKIP() << "inotify does not see every change here";
  for (int i = 0; i < 300; ++i) dir_.write("www/old" + std::to_string(i) + "/f.txt", "old\n");
  for (int i = 0; i < 300; ++i) dir_.write("www/new" + std::to_string(i) + "/f.txt", "new\n");
  const std::size_t before = inotify_watches();
  start();
  raw_client c = connect();
  for (int i = 0; i < 300; ++i) {
    auto r = fetch(c, "GET", "/old" + std::to_string(i) + "/f.txt");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
  }
  EXPECT_GE(inotify_watches() - before, 300u);
  for (int i = 0; i < 300; ++i) dir_.write("www/old" + std::to_string(i) + "/f.txt", "changed\n");
  for (int i = 0; i < 250; ++i) {
    auto r = fetch(c, "GET", "/new" + std::to_string(i) + "/f.txt");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
  }
  EXPECT_LT(inotify_watches() - before, 300u);
  auto changed = fetch(c, "GET", "/old7/f.txt");
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->body, "changed\n");
}

// Whether this process holds a descriptor open on `file`, as the worker's cache does.
bool held_open(const std::filesystem::path& file) {
  for (const auto& fd : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    if (std::filesystem::read_symlink(fd.path(), ec) == file) return true;
  }
  return false;
}

// Missing paths are remembered apart from files, and fewer: a scanner's stream of them does not
// push the files being served out of the cache.
TEST_F(StaticFiles, RequestsForManyMissingPathsLeaveTheServedFilesCached) {
  start();
  raw_client c = connect();
  auto served = fetch(c, "GET", "/hello.txt");
  ASSERT_TRUE(served);
  ASSERT_TRUE(held_open(hello_));
  for (int i = 0; i < 1100; ++i) {
    auto missing = fetch(c, "GET", "/scan/" + std::to_string(i) + ".php");
    ASSERT_TRUE(missing);
    ASSERT_EQ(missing->status, 404);
  }
  EXPECT_TRUE(held_open(hello_));
}

// The trade nginx's open_file_cache_valid makes, where the watch cannot help (here a symbolic
// link on the way): no stat for a while, so an edit is seen only once that time has passed.
TEST_F(StaticFiles, FileCacheValidServesTheCachedFileWithoutChecking) {
  start_with_file_cache_valid(10s);
  raw_client c = connect();
  auto first = fetch(c, "GET", "/link-in.txt");
  ASSERT_TRUE(first);
  dir_.write("www/hello.txt", "changed\n");
  auto cached = fetch(c, "GET", "/link-in.txt");
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->body, "hello world\n");
  EXPECT_EQ(cached->field("ETag"), first->field("ETag")) << "the validators of what is sent";
}

TEST_F(StaticFiles, FileCacheValidDoesNotHoldBackAChangeTheWatchReports) {
  if (!watchable(root())) GTEST_SKIP() << "inotify does not see every change here";
  start_with_file_cache_valid(10s);
  raw_client c = connect();
  auto first = fetch(c, "GET", "/hello.txt");
  ASSERT_TRUE(first);
  dir_.write("www/hello.txt", "changed\n");
  auto after = fetch(c, "GET", "/hello.txt");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->body, "changed\n");
}

TEST_F(StaticFiles, FileCacheValidRemembersAMissingPathForAsLong) {
  std::filesystem::create_directory_symlink("docs", root() / "docs-link");
  start_with_file_cache_valid(10s);
  raw_client c = connect();
  auto before = fetch(c, "GET", "/docs-link/later.txt");
  ASSERT_TRUE(before);
  EXPECT_EQ(before->status, 404);
  dir_.write("www/docs/later.txt", "here now\n");
  auto cached = fetch(c, "GET", "/docs-link/later.txt");
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->status, 404);
}

// A missing path is remembered as missing while the watch of the directories that exist on its
// way would report what creates it.
TEST_F(StaticFiles, AMissingPathIsServedOnceADirectoryOnTheWayAndTheFileAreCreated) {
  start();
  raw_client c = connect();
  for (int i = 0; i < 2; ++i) {
    auto before = fetch(c, "GET", "/new/deeper/file.txt");
    ASSERT_TRUE(before);
    EXPECT_EQ(before->status, 404);
  }
  dir_.write("www/new/deeper/file.txt", "created\n");
  auto after = fetch(c, "GET", "/new/deeper/file.txt");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
  EXPECT_EQ(after->body, "created\n");
  std::filesystem::rename(root() / "new", root() / "newer");
  auto moved = fetch(c, "GET", "/new/deeper/file.txt");
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->status, 404);
  std::filesystem::create_directory_symlink("newer", root() / "new");
  auto linked = fetch(c, "GET", "/new/deeper/file.txt");
  ASSERT_TRUE(linked);
  EXPECT_EQ(linked->status, 200) << "a symbolic link created where a directory was missing";
}

TEST_F(StaticFiles, WithoutFileCacheValidACreatedFileIsServedAtOnce) {
  start();
  raw_client c = connect();
  auto before = fetch(c, "GET", "/later.txt");
  ASSERT_TRUE(before);
  EXPECT_EQ(before->status, 404);
  dir_.write("www/later.txt", "here now\n");
  auto after = fetch(c, "GET", "/later.txt");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

// Requests that arrived together share one look at the file; the next read looks again.
TEST_F(StaticFiles, APipelinedBatchSharesOneCheckAndTheNextRequestSeesTheChange) {
  start();
  raw_client c = connect();
  auto warm = fetch(c, "GET", "/hello.txt");
  ASSERT_TRUE(warm);
  std::string batch;
  for (int i = 0; i < 8; ++i) batch += raw_request("GET", "/hello.txt");
  ASSERT_TRUE(c.send(batch));
  for (int i = 0; i < 8; ++i) {
    auto r = c.read_response();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->body, "hello world\n");
  }
  dir_.write("www/hello.txt", "changed\n");
  auto after = fetch(c, "GET", "/hello.txt");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->body, "changed\n");
}

TEST_F(StaticFiles, ADirectoryIndexIsRevalidatedToo) {
  start();
  raw_client c = connect();
  auto first = fetch(c, "GET", "/docs/");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, "<h1>docs</h1>\n");
  std::filesystem::remove(root() / "docs" / "index.html");
  auto listing = fetch(c, "GET", "/docs/", {"Accept: application/json"});
  ASSERT_TRUE(listing);
  EXPECT_EQ(listing->status, 200);
  EXPECT_EQ(listing->field("Content-Type"), "application/json");
}

// ---------------------------------------------------------------------------------------------
// Multiviews: "/guide" names no file, and is negotiated among guide.html, guide.pdf, ...
class Multiviews : public StaticFiles {
 protected:
  void SetUp() override {
    StaticFiles::SetUp();
    html_ = dir_.write("www/guide.html", "<h1>guide</h1>\n");
    pdf_ = dir_.write("www/guide.pdf", "%PDF-1.4 pretend\n");
    dir_.write("www/guide.html.gz", "a precompressed sibling, not a view");
    dir_.write("www/guide.zzq", "an unknown extension, not a view");
    dir_.write("www/guide.html.pdf", "two media types, not a view");
    dir_.write("www/guides.html", "another name");
    dir_.write("www/letter.en.html", "Dear reader\n");
    dir_.write("www/letter.html.fr", "Cher lecteur\n");
    dir_.write("www/docs/manual.txt", "manual\n");
  }
  void start(bool offer_choice = false) {
    static_options o = options();
    o.multiviews = true;
    o.offer_choice = offer_choice;
    StaticFiles::start(std::move(o));
  }
  static constexpr std::string_view browser_accept =
      "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
  std::filesystem::path html_, pdf_;
};

TEST_F(Multiviews, AcceptChoosesTheViewWithContentLocationAndVary) {
  start();
  raw_client c = connect();
  auto html = fetch(c, "GET", "/guide", {std::string(browser_accept)});
  ASSERT_TRUE(html);
  EXPECT_EQ(html->status, 200);
  EXPECT_EQ(html->field("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(html->field("Content-Location"), "/guide.html");
  EXPECT_EQ(html->field("Vary"), "Accept");
  EXPECT_EQ(html->field("ETag"), expected_etag(html_));
  EXPECT_EQ(html->body, "<h1>guide</h1>\n");
  auto pdf = fetch(c, "GET", "/guide", {"Accept: application/pdf, text/html;q=0.5"});
  ASSERT_TRUE(pdf);
  EXPECT_EQ(pdf->status, 200);
  EXPECT_EQ(pdf->field("Content-Type"), "application/pdf");
  EXPECT_EQ(pdf->field("Content-Location"), "/guide.pdf");
  EXPECT_EQ(pdf->field("ETag"), expected_etag(pdf_));
  EXPECT_EQ(pdf->body, "%PDF-1.4 pretend\n");
}

TEST_F(Multiviews, ATieGoesToTheFirstViewByName) {
  start();
  for (std::vector<std::string> lines :
       {std::vector<std::string>{}, std::vector<std::string>{"Accept: */*"}}) {
    auto r = fetch("GET", "/guide", lines);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->field("Content-Location"), "/guide.html");
  }
}

// RFC 9110 §15.4.1: the alternatives, and Location of the server's preferred one.
TEST_F(Multiviews, ATieWithOfferChoiceIs300ListingTheViews) {
  start(true);
  raw_client c = connect();
  auto r = fetch(c, "GET", "/guide", {"Accept: */*"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 300);
  EXPECT_EQ(r->field("Location"), "/guide.html");
  EXPECT_EQ(r->field("Vary"), "Accept");
  EXPECT_EQ(r->field("Content-Type"), "text/html; charset=utf-8");
  EXPECT_THAT(r->body, HasSubstr("<a href=\"/guide.html\">"));
  EXPECT_THAT(r->body, HasSubstr("<a href=\"/guide.pdf\">"));
  EXPECT_THAT(r->body, Not(HasSubstr("guide.zzq")));
  EXPECT_THAT(r->body, Not(HasSubstr("guide.html.gz")));
  // A request that prefers a view gets it, with no choice to make.
  auto chosen = fetch(c, "GET", "/guide", {std::string(browser_accept)});
  ASSERT_TRUE(chosen);
  EXPECT_EQ(chosen->status, 200);
  EXPECT_EQ(chosen->field("Content-Location"), "/guide.html");
}

TEST_F(Multiviews, NoAcceptableViewIs406ListingThem) {
  start();
  auto r = fetch("GET", "/guide", {"Accept: image/png"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 406);
  EXPECT_EQ(r->field("Vary"), "Accept");
  EXPECT_THAT(r->body, HasSubstr("/guide.html"));
  EXPECT_THAT(r->body, HasSubstr("/guide.pdf"));
}

TEST_F(Multiviews, LanguageExtensionsAreNegotiatedByAcceptLanguage) {
  start();
  raw_client c = connect();
  auto fr = fetch(c, "GET", "/letter", {"Accept-Language: fr-CH, fr;q=0.9, en;q=0.5"});
  ASSERT_TRUE(fr);
  EXPECT_EQ(fr->status, 200);
  EXPECT_EQ(fr->field("Content-Language"), "fr");
  EXPECT_EQ(fr->field("Content-Location"), "/letter.html.fr");
  EXPECT_EQ(fr->field("Vary"), "Accept-Language");
  EXPECT_EQ(fr->body, "Cher lecteur\n");
  auto en = fetch(c, "GET", "/letter", {"Accept-Language: en-GB"});
  ASSERT_TRUE(en);
  EXPECT_EQ(en->field("Content-Language"), "en");
  EXPECT_EQ(en->body, "Dear reader\n");
  // A language no view has: a page in another language, not 406 (RFC 9110 §12.1).
  auto de = fetch(c, "GET", "/letter", {"Accept-Language: de"});
  ASSERT_TRUE(de);
  EXPECT_EQ(de->status, 200);
  EXPECT_EQ(de->field("Content-Language"), "en");
  auto excluded = fetch(c, "GET", "/letter", {"Accept-Language: de, *;q=0"});
  ASSERT_TRUE(excluded);
  EXPECT_EQ(excluded->status, 406);
}

TEST_F(Multiviews, ConditionalRequestsAndRangesApplyToTheChosenView) {
  start();
  raw_client c = connect();
  auto r = fetch(c, "GET", "/guide",
                 {std::string(browser_accept), "If-None-Match: " + expected_etag(html_)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 304);
  EXPECT_EQ(r->field("Content-Location"), "/guide.html");
  EXPECT_EQ(r->field("Vary"), "Accept");
  auto other = fetch(c, "GET", "/guide",
                     {"Accept: application/pdf", "If-None-Match: " + expected_etag(html_)});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200) << "the HTML view's tag does not validate the PDF view";
  auto range = fetch(c, "GET", "/guide", {"Accept: application/pdf", "Range: bytes=0-3"});
  ASSERT_TRUE(range);
  EXPECT_EQ(range->status, 206);
  EXPECT_EQ(range->body, "%PDF");
}

TEST_F(Multiviews, ViewsInASubdirectoryAndFilesThatExistAreServedAsThemselves) {
  start();
  raw_client c = connect();
  auto manual = fetch(c, "GET", "/docs/manual");
  ASSERT_TRUE(manual);
  EXPECT_EQ(manual->status, 200);
  EXPECT_EQ(manual->field("Content-Location"), "/docs/manual.txt");
  auto direct = fetch(c, "GET", "/guide.pdf");
  ASSERT_TRUE(direct);
  EXPECT_EQ(direct->status, 200);
  EXPECT_FALSE(direct->has("Vary"));
  EXPECT_FALSE(direct->has("Content-Location"));
  for (std::string_view missing : {"/gui", "/nothing", "/guide/", "/docs/manual.txt/x"}) {
    auto r = fetch(c, "GET", missing);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404) << missing;
  }
}

TEST_F(Multiviews, OffByDefault) {
  StaticFiles::start();
  auto r = fetch("GET", "/guide");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
}

// A real client: curl (-r, -z, -C -, --compressed). Every run is bounded by --max-time.

class CurlFiles : public StaticFiles {
 protected:
  void SetUp() override {
    if (test::run_command("curl --version >/dev/null 2>&1 && echo ok").out != "ok\n")
      GTEST_SKIP() << "curl is not installed";
    StaticFiles::SetUp();
  }
  test::command_result curl(const std::string& args) {
    return test::run_command("curl -s --max-time 5 " + args);
  }
  std::string url(std::string_view path) const {
    return "'http://127.0.0.1:" + std::to_string(server_->port()) + std::string(path) + "'";
  }
};

TEST_F(CurlFiles, RangeOption) {
  start();
  auto r = curl("-r 0-4 -w ' %{http_code}' " + url("/hello.txt"));
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "hello 206");
}

TEST_F(CurlFiles, TimeConditionGives304) {
  start();
  auto same = curl("-z 'Tue, 14 Nov 2023 22:13:20 GMT' -o /dev/null -w '%{http_code}' " +
                   url("/hello.txt"));
  EXPECT_EQ(same.out, "304");
  auto older = curl("-z 'Mon, 13 Nov 2023 00:00:00 GMT' -o /dev/null -w '%{http_code}' " +
                    url("/hello.txt"));
  EXPECT_EQ(older.out, "200");
}

TEST_F(CurlFiles, ResumesAPartialDownload) {
  std::string content(300000, '\0');
  std::mt19937 random(11);
  for (char& ch : content) ch = static_cast<char>(random());
  dir_.write("www/big.bin", content);
  const auto partial = dir_.write("partial.bin", content.substr(0, 123456));
  start();
  auto r = curl("-C - -o '" + partial.string() + "' -w '%{http_code}' " + url("/big.bin"));
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "206");
  EXPECT_TRUE(test::read_file(partial) == content) << "the resumed file differs";
}

TEST_F(CurlFiles, CompressedPicksAPrecompressedSibling) {
  const std::string text = alphabet(5000);
  const auto plain = dir_.write("www/page.txt", text);
  if (test::run_command("gzip -c '" + plain.string() + "' > '" + plain.string() + ".gz' && echo ok")
          .out != "ok\n")
    GTEST_SKIP() << "gzip is not installed";
  set_mtime(plain, 1700000000);
  start();
  auto r = curl("--compressed -D - " + url("/page.txt"));
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("Content-Encoding: gzip\r\n"));
  EXPECT_THAT(r.out, HasSubstr("Vary: Accept-Encoding\r\n"));
  EXPECT_THAT(r.out, testing::EndsWith("\r\n\r\n" + text)) << "curl decoded the gzip file";
  auto identity = curl("-D - " + url("/page.txt"));
  EXPECT_THAT(identity.out, Not(HasSubstr("Content-Encoding")));
  EXPECT_THAT(identity.out, testing::EndsWith("\r\n\r\n" + text));
}

}  // namespace
}  // namespace herald::handlers
