// server::router (src/server/router.cpp): prefixes matched on whole segments, the longest prefix
// winning whatever the mount order, the fallback for everything else, prepare and handle going to
// the same handler, and the server-wide Allow (OPTIONS *) merged without duplicates; then the
// same through an in-process server.

#include <algorithm>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <herald/server/router.hpp>

#include "support/raw_client.hpp"
#include "support/test_cases.hpp"

namespace herald::server {
namespace {

using test::PrintTo;

struct beneath_case {
  std::string name;
  std::string path;
  std::string prefix;
  bool beneath;
};

class RouterBeneath : public testing::TestWithParam<beneath_case> {};

TEST_P(RouterBeneath, MatchesWholeSegments) {
  const beneath_case& c = GetParam();
  EXPECT_EQ(router::beneath(c.path, c.prefix), c.beneath) << c.path << " under " << c.prefix;
}

INSTANTIATE_TEST_SUITE_P(
    Paths, RouterBeneath,
    testing::Values(beneath_case{"Itself", "/lab", "/lab", true},
                    beneath_case{"Beneath", "/lab/get", "/lab", true},
                    beneath_case{"DeepBeneath", "/lab/a/b/c", "/lab", true},
                    beneath_case{"TrailingSlashOfPath", "/lab/", "/lab", true},
                    beneath_case{"LongerSegment", "/labs", "/lab", false},
                    beneath_case{"LongerSegmentBeneath", "/labs/get", "/lab", false},
                    beneath_case{"ShorterPath", "/la", "/lab", false},
                    beneath_case{"Elsewhere", "/other", "/lab", false},
                    beneath_case{"EmptyPath", "", "/lab", false},
                    beneath_case{"PrefixWithSlash", "/lab/get", "/lab/", true},
                    beneath_case{"PrefixWithSlashItself", "/lab", "/lab/", true},
                    beneath_case{"PrefixWithSlashLonger", "/labs", "/lab/", false},
                    beneath_case{"RootTakesAll", "/anything/at/all", "/", true},
                    beneath_case{"RootTakesRoot", "/", "/", true},
                    beneath_case{"EmptyTakesAll", "/x", "", true},
                    beneath_case{"Nested", "/a/b/c", "/a/b", true},
                    beneath_case{"NestedSibling", "/a/bc", "/a/b", false},
                    beneath_case{"CaseMatters", "/LAB/get", "/lab", false}),
    test::case_name);

// A handler that names itself in every answer and counts its calls.
class named_handler : public handler {
 public:
  named_handler(std::string name, std::string allow = "GET, HEAD, OPTIONS")
      : name_(std::move(name)), allow_(std::move(allow)) {}

  content_decision prepare(const request&) override {
    ++prepared;
    return content_decision::accept(1024);
  }
  response handle(request& r) override {
    ++handled;
    response out;
    out.set_text(name_ + " " + std::string(r.head.path));
    return out;
  }
  std::string_view server_allow() const override { return allow_; }

  int prepared = 0;
  int handled = 0;

 private:
  std::string name_;
  std::string allow_;
};

std::string answer_of(router& r, std::string_view path) {
  http1::request_head head;
  head.method = "GET";
  head.known_method = core::method::get;
  head.target = path;
  head.path = path;
  request req{head, {}, false, "127.0.0.1", 0};
  content_decision d = r.prepare(req);
  if (d.refuse) return "refused";
  response out = r.handle(req);
  std::string text;
  for (const content_piece& p : out.body.pieces) text += std::get<std::string>(p);
  return text;
}

TEST(Router, FallbackTakesWhatNoMountTakes) {
  named_handler fallback("fallback"), lab("lab");
  router r(fallback);
  r.mount("/lab", lab);
  EXPECT_EQ(answer_of(r, "/lab/get"), "lab /lab/get");
  EXPECT_EQ(answer_of(r, "/lab"), "lab /lab");
  EXPECT_EQ(answer_of(r, "/labs"), "fallback /labs");
  EXPECT_EQ(answer_of(r, "/"), "fallback /");
  EXPECT_EQ(answer_of(r, "/index.html"), "fallback /index.html");
  EXPECT_EQ(lab.prepared, 2);
  EXPECT_EQ(lab.handled, 2);
  EXPECT_EQ(fallback.prepared, 3);
  EXPECT_EQ(fallback.handled, 3);
}

TEST(Router, WithoutMountsEverythingGoesToTheFallback) {
  named_handler fallback("fallback");
  router r(fallback);
  EXPECT_EQ(answer_of(r, "/a"), "fallback /a");
  EXPECT_EQ(answer_of(r, ""), "fallback ");
}

TEST(Router, LongestPrefixWinsWhateverTheMountOrder) {
  for (bool short_first : {true, false}) {
    SCOPED_TRACE(short_first ? "short first" : "long first");
    named_handler fallback("fallback"), outer("outer"), inner("inner"), root("root");
    router r(fallback);
    if (short_first) {
      r.mount("/", root);
      r.mount("/a", outer);
      r.mount("/a/b", inner);
    } else {
      r.mount("/a/b", inner);
      r.mount("/a", outer);
      r.mount("/", root);
    }
    EXPECT_EQ(answer_of(r, "/a/b/c"), "inner /a/b/c");
    EXPECT_EQ(answer_of(r, "/a/b"), "inner /a/b");
    EXPECT_EQ(answer_of(r, "/a/bc"), "outer /a/bc");
    EXPECT_EQ(answer_of(r, "/a"), "outer /a");
    EXPECT_EQ(answer_of(r, "/ab"), "root /ab");
    EXPECT_EQ(answer_of(r, "/"), "root /");
    EXPECT_EQ(fallback.handled, 0) << "\"/\" takes every path";
  }
}

TEST(Router, PrefixWithTrailingSlashMatchesItsSegment) {
  named_handler fallback("fallback"), lab("lab");
  router r(fallback);
  r.mount("/lab/", lab);
  EXPECT_EQ(answer_of(r, "/lab"), "lab /lab");
  EXPECT_EQ(answer_of(r, "/lab/x"), "lab /lab/x");
  EXPECT_EQ(answer_of(r, "/labx"), "fallback /labx");
}

std::vector<std::string> allow_list(std::string_view allow) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in{std::string(allow)};
  while (std::getline(in, item, ',')) {
    item.erase(0, item.find_first_not_of(' '));
    out.push_back(item);
  }
  return out;
}

TEST(Router, ServerAllowMergesEveryHandlersMethodsOnce) {
  named_handler fallback("fallback", "GET, HEAD, OPTIONS");
  named_handler lab("lab", "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT");
  named_handler odd("odd", "GET,PROPFIND ,  MKCOL,,OPTIONS");
  router r(fallback);
  EXPECT_EQ(r.server_allow(), "GET, HEAD, OPTIONS");
  r.mount("/lab", lab);
  r.mount("/dav", odd);
  std::vector<std::string> methods = allow_list(r.server_allow());
  std::vector<std::string> sorted = methods;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (std::vector<std::string>{"DELETE", "GET", "HEAD", "MKCOL", "OPTIONS",
                                              "PATCH", "POST", "PROPFIND", "PUT"}))
      << r.server_allow();
  EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end()) << r.server_allow();
  EXPECT_EQ(r.server_allow().find(",,"), std::string_view::npos);
  EXPECT_EQ(r.server_allow().find("  "), std::string_view::npos);
}

TEST(Router, RefusalFromPrepareComesFromTheMountedHandler) {
  class refusing : public handler {
   public:
    content_decision prepare(const request&) override {
      response no(405);
      no.fields.add("Allow", "GET");
      return content_decision::reject(std::move(no));
    }
    response handle(request&) override { return response(500); }
  };
  named_handler fallback("fallback");
  refusing strict;
  router r(fallback);
  r.mount("/strict", strict);
  EXPECT_EQ(answer_of(r, "/strict/x"), "refused");
  EXPECT_EQ(answer_of(r, "/x"), "fallback /x");
}

// ----- through a server --------------------------------------------------------------------------

TEST(RouterServer, RoutesRequestsAndAnswersOptionsAsteriskWithTheMergedAllow) {
  named_handler fallback("fallback"), api("api", "GET, POST, OPTIONS");
  router r(fallback);
  r.mount("/api", api);
  test::running_server server(test::test_options(), r);
  test::raw_client c = server.connect();
  for (auto [target, expected] : std::vector<std::pair<std::string, std::string>>{
           {"/api/v1", "api /api/v1"}, {"/apis", "fallback /apis"}, {"/", "fallback /"}}) {
    ASSERT_TRUE(c.send(test::raw_request("GET", target)));
    auto got = c.read_response();
    ASSERT_TRUE(got) << target;
    EXPECT_EQ(got->body, expected);
  }
  ASSERT_TRUE(c.send(test::raw_request("OPTIONS", "*")));
  auto options = c.read_response("OPTIONS");
  ASSERT_TRUE(options);
  EXPECT_EQ(options->status, 204);
  EXPECT_EQ(options->field("Allow"), "GET, HEAD, OPTIONS, POST");
}

}  // namespace
}  // namespace herald::server
