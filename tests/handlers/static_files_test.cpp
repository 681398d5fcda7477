// The minimal file handler of `herald serve` (src/handlers/static_files.cpp), served by an
// in-process server over loopback: files (sent with sendfile), HEAD, directories, dotfiles,
// traversal attempts and symlinks that leave the root, and the methods it refuses.

#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <optional>
#include <random>
#include <string>
#include <sys/stat.h>

#include <herald/handlers/static_files.hpp>

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

  void start(bool show_hidden = false) {
    static_options o;
    o.root = root();
    o.show_hidden = show_hidden;
    files_.emplace(o);
    server_.emplace(test::test_options(), *files_);
  }
  std::filesystem::path root() const { return dir_.path() / "www"; }
  raw_client connect() { return server_->connect(); }
  std::optional<test::http_response> fetch(raw_client& c, std::string_view method,
                                           std::string_view target,
                                           std::vector<std::string> lines = {}) {
    if (!c.send(raw_request(method, target, std::move(lines)))) return std::nullopt;
    return c.read_response(method);
  }
  std::optional<test::http_response> fetch(std::string_view method, std::string_view target) {
    raw_client c = connect();
    return fetch(c, method, target);
  }

  test::temp_dir dir_;
  std::filesystem::path hello_;
  std::optional<static_files> files_;
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

TEST_F(StaticFiles, DirectoryWithoutIndexIsForbidden) {
  start();
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
                    media_case{"LastExtensionCounts", "archive.tar.gz", "application/octet-stream"},
                    media_case{"NoExtension", "README", "application/octet-stream"},
                    media_case{"Unknown", "data.xyz", "application/octet-stream"}),
    test::case_name);

}  // namespace
}  // namespace herald::handlers
