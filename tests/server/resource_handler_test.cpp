// Tests of the adapter from resources to the handler interface (src/server/resource_handler.cpp):
// prepare() refuses what the engine refuses before the content is read and accepts the rest up
// to the resource's limit, handle() answers with the engine, `now` comes from the clock of Date,
// and tracing adds Herald-Trace. Driven directly, then through a running server for what only
// the connection shows (no 100 Continue before a refusal, content reaching the resource).

#include <atomic>
#include <chrono>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <herald/core/http_date.hpp>
#include <herald/server/resource_handler.hpp>

#include "support/raw_client.hpp"
#include "support/test_cases.hpp"

namespace herald::server {
namespace {

using namespace std::chrono_literals;
using herald::test::case_name;
using herald::test::PrintTo;
using testing::HasSubstr;
using M = core::method;

// What a test's resources answer; each located resource copies it.
struct answers {
  availability available;
  method_set allowed{M::get, M::head, M::options};
  bool is_forbidden = false;
  std::vector<std::string_view> content_types;
  std::uint64_t max_size = 100;
  bool does_exist = true;
  std::optional<std::string> blocked_by;
  std::optional<std::chrono::sys_seconds> last_modified;
  std::string body = "content\n";
};

class fake_resource : public resource {
 public:
  fake_resource(const answers& a, std::atomic<int>& performed) : a_(a), performed_(performed) {}

  availability available(const request&) override { return a_.available; }
  method_set allowed_methods(const request&) override { return a_.allowed; }
  bool forbidden(const request&) override { return a_.is_forbidden; }
  std::span<const std::string_view> accepted_content_types(const request&) override {
    return a_.content_types;
  }
  std::uint64_t max_content_size(const request&) override { return a_.max_size; }
  std::optional<std::string> legally_blocked(const request&) override { return a_.blocked_by; }
  bool exists(const request&) override { return a_.does_exist; }
  validators validators_of(const request&, std::size_t) override {
    return {std::nullopt, a_.last_modified};
  }
  representation describe(const request&, std::size_t) override {
    return {"text/plain", {}, {}, a_.body.size(), true};
  }
  void produce(const request&, std::size_t, core::byte_range range, content& out) override {
    out.pieces.emplace_back(a_.body.substr(range.first, range.size()));
  }
  effect perform(request& r, std::size_t) override {
    ++performed_;
    return effect::ok("got " + std::to_string(r.body.size()) + " octets: " + r.body + "\n");
  }

 private:
  answers a_;
  std::atomic<int>& performed_;
};

class fake_locator : public resource_locator {
 public:
  answers a;
  bool return_null = false;
  std::atomic<int> located{0};
  std::atomic<int> performed{0};

  std::unique_ptr<resource> locate(const request&) override {
    ++located;
    if (return_null) return nullptr;
    return std::make_unique<fake_resource>(a, performed);
  }
  void finish(const request&, response& out) override { out.fields.add("X-Finished", "yes"); }
  std::string_view server_allow() const override { return "GET, HEAD, OPTIONS, PUT"; }
};

// A request head as the parser would give it.
struct head_builder {
  std::vector<std::pair<std::string, std::string>> lines;
  http1::request_head head;

  head_builder(std::string_view method, M known, std::string_view path = "/thing") {
    head.method = method;
    head.known_method = known;
    head.target = path;
    head.path = path;
  }
  head_builder& field(std::string name, std::string value) {
    lines.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  head_builder& content_length(std::uint64_t n) {
    head.framing = http1::body_framing::content_length;
    head.content_length = n;
    return field("Content-Length", std::to_string(n));
  }
  const http1::request_head& build() {
    head.fields.clear();
    for (const auto& [n, v] : lines) head.fields.push_back({n, v});
    return head;
  }
};

TEST(ResourceHandler, RequestWithoutContentIsAcceptedWithoutLocating) {
  fake_locator locator;
  resource_handler handler(locator);
  head_builder b("DELETE", M::delete_);
  request r{b.build(), {}, false, {}};
  const content_decision d = handler.prepare(r);
  EXPECT_FALSE(d.refuse);
  EXPECT_EQ(locator.located.load(), 0) << "nothing to spare: handle() walks the whole flow";
  // An empty Content-Length is no content either.
  head_builder empty("PUT", M::put);
  empty.content_length(0);
  request e{empty.build(), {}, false, {}};
  EXPECT_FALSE(handler.prepare(e).refuse);
  EXPECT_EQ(locator.located.load(), 0);
}

struct prepare_case {
  std::string name;
  std::string method;
  M known;
  answers a;
  std::vector<std::pair<std::string, std::string>> fields;
  bool chunked = false;
  int refused_with = 0;  // 0: accepted
  std::vector<std::pair<std::string, std::string>> expected_fields;
  std::uint64_t accepted_size = 0;
};

answers put_allowed() {
  answers a;
  a.allowed = {M::get, M::head, M::options, M::put};
  return a;
}

answers with(answers a, auto change) {
  change(a);
  return a;
}

class Prepare : public testing::TestWithParam<prepare_case> {};

TEST_P(Prepare, RefusesBeforeTheContentOrAcceptsUpToTheLimit) {
  const prepare_case& c = GetParam();
  fake_locator locator;
  locator.a = c.a;
  resource_handler handler(locator);
  head_builder b(c.method, c.known);
  for (const auto& [n, v] : c.fields) b.field(n, v);
  if (c.chunked) {
    b.head.framing = http1::body_framing::chunked;
    b.field("Transfer-Encoding", "chunked");
  } else {
    b.content_length(20);
  }
  request r{b.build(), {}, false, {}};
  const content_decision d = handler.prepare(r);
  EXPECT_EQ(locator.performed.load(), 0);
  if (c.refused_with == 0) {
    EXPECT_FALSE(d.refuse) << d.refuse->status;
    EXPECT_EQ(d.max_size, c.accepted_size);
    return;
  }
  ASSERT_TRUE(d.refuse);
  EXPECT_EQ(d.refuse->status, c.refused_with);
  for (const auto& [n, v] : c.expected_fields) EXPECT_EQ(d.refuse->fields.find(n), v) << n;
  EXPECT_EQ(d.refuse->fields.find("X-Finished"), "yes") << "finish() sees refusals too";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Prepare,
    testing::Values(
        prepare_case{"MethodNotAllowed",
                     "POST",
                     M::post,
                     answers{},
                     {},
                     false,
                     405,
                     {{"Allow", "GET, HEAD, OPTIONS"}},
                     0},
        prepare_case{"Unavailable",
                     "PUT",
                     M::put,
                     with(put_allowed(),
                          [](answers& a) {
                            a.available = {false, 30s};
                          }),
                     {},
                     false,
                     503,
                     {{"Retry-After", "30"}},
                     0},
        prepare_case{"Forbidden",
                     "PUT",
                     M::put,
                     with(put_allowed(), [](answers& a) { a.is_forbidden = true; }),
                     {},
                     false,
                     403,
                     {},
                     0},
        prepare_case{
            "UnsupportedMediaType",
            "PUT",
            M::put,
            with(put_allowed(), [](answers& a) { a.content_types = {"application/json"}; }),
            {{"Content-Type", "text/plain"}},
            false,
            415,
            {{"Accept", "application/json"}},
            0},
        prepare_case{"DeclaredTooLarge",
                     "PUT",
                     M::put,
                     with(put_allowed(), [](answers& a) { a.max_size = 19; }),
                     {},
                     false,
                     413,
                     {},
                     0},
        prepare_case{"AcceptedUpToTheLimit",
                     "PUT",
                     M::put,
                     with(put_allowed(), [](answers& a) { a.max_size = 20; }),
                     {},
                     false,
                     0,
                     {},
                     20},
        prepare_case{
            "ChunkedAcceptedUpToTheLimit", "PUT", M::put, put_allowed(), {}, true, 0, {}, 100},
        prepare_case{"OptionsWithContentIsAccepted",
                     "OPTIONS",
                     M::options,
                     answers{},
                     {},
                     false,
                     0,
                     {},
                     100},
        // Later steps (451, 404) are handle()'s: the content is read first.
        prepare_case{"LegallyBlockedIsLeftToHandle",
                     "PUT",
                     M::put,
                     with(put_allowed(), [](answers& a) { a.blocked_by = "https://example.org"; }),
                     {},
                     false,
                     0,
                     {},
                     100},
        prepare_case{"MissingIsLeftToHandle",
                     "PUT",
                     M::put,
                     with(put_allowed(), [](answers& a) { a.does_exist = false; }),
                     {},
                     false,
                     0,
                     {},
                     100}),
    case_name);

TEST(ResourceHandler, TraceGoesToAFieldAndTheLogReason) {
  fake_locator locator;
  resource_handler traced(locator, {.trace = true});
  head_builder b("GET", M::get);
  request r{b.build(), {}, false, {}};
  response out = traced.handle(r);
  EXPECT_EQ(out.status, 200);
  EXPECT_EQ(out.fields.find("Herald-Trace"),
            "service_available known_method method_allowed well_formed authorized forbidden "
            "content_headers legally_blocked exists representation");
  EXPECT_EQ(out.reason_token,
            "service_available,known_method,method_allowed,well_formed,authorized,forbidden,"
            "content_headers,legally_blocked,exists,representation");
  EXPECT_EQ(out.fields.find("X-Finished"), "yes");

  resource_handler quiet(locator);
  response plain = quiet.handle(r);
  EXPECT_FALSE(plain.fields.find("Herald-Trace"));
  EXPECT_EQ(plain.reason_token, "");
}

// RFC 9110 §8.8.2.1: the engine clamps Last-Modified to its `now`, which must be the second
// the Date field will show.
TEST(ResourceHandler, NowIsTheCurrentSecond) {
  fake_locator locator;
  locator.a.last_modified = std::chrono::sys_days{std::chrono::year{2200} / 1 / 1};
  resource_handler handler(locator);
  head_builder b("GET", M::get);
  request r{b.build(), {}, false, {}};
  const auto before = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  response out = handler.handle(r);
  const auto after = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const std::optional<std::string_view> text = out.fields.find("Last-Modified");
  ASSERT_TRUE(text);
  const auto modified = core::parse_http_date(*text);
  ASSERT_TRUE(modified);
  EXPECT_GE(*modified, before);
  EXPECT_LE(*modified, after);
}

TEST(ResourceHandler, LocatorWithoutAResourceIsAnError) {
  fake_locator locator;
  locator.return_null = true;
  resource_handler handler(locator);
  head_builder b("GET", M::get);
  request r{b.build(), {}, false, {}};
  EXPECT_THROW(handler.handle(r), std::logic_error);
}

TEST(ResourceHandler, ServerAllowComesFromTheLocator) {
  fake_locator locator;
  resource_handler handler(locator);
  EXPECT_EQ(handler.server_allow(), "GET, HEAD, OPTIONS, PUT");
}

class ResourceHandlerServer : public testing::Test {
 protected:
  void SetUp() override {
    locator_.a = put_allowed();
    locator_.a.max_size = 1000;
    server_.emplace(test::test_options(), handler_);
  }
  fake_locator locator_;
  resource_handler handler_{locator_};
  std::optional<test::running_server> server_;
};

TEST_F(ResourceHandlerServer, RefusalComesWithoutContinue) {
  test::raw_client c = server_->connect();
  ASSERT_TRUE(
      c.send(test::raw_request("POST", "/thing", {"Content-Length: 500", "Expect: 100-continue"})));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405) << "not 100 Continue";
  EXPECT_EQ(r->field("Allow"), "GET, HEAD, OPTIONS, PUT");
  EXPECT_EQ(r->field("X-Finished"), "yes");
  EXPECT_EQ(locator_.performed.load(), 0);
}

TEST_F(ResourceHandlerServer, AcceptedContentReachesTheResource) {
  test::raw_client c = server_->connect();
  ASSERT_TRUE(c.send(test::raw_request("PUT", "/thing", {"Content-Length: 5"}) + "hello"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "got 5 octets: hello\n");
  EXPECT_EQ(locator_.performed.load(), 1);
  EXPECT_EQ(locator_.located.load(), 2) << "once to prepare, once to handle";
}

TEST_F(ResourceHandlerServer, ContentBeyondTheLimitIs413) {
  test::raw_client c = server_->connect();
  ASSERT_TRUE(c.send(test::raw_request("PUT", "/thing", {"Content-Length: 1001"})));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(locator_.performed.load(), 0);
}

TEST_F(ResourceHandlerServer, OptionsAsteriskUsesTheLocatorsMethods) {
  test::raw_client c = server_->connect();
  ASSERT_TRUE(c.send(test::raw_request("OPTIONS", "*")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->field("Allow"), "GET, HEAD, OPTIONS, PUT");
}

TEST_F(ResourceHandlerServer, DateAndLastModifiedAgree) {
  locator_.a.last_modified = std::chrono::sys_days{std::chrono::year{2200} / 1 / 1};
  test::raw_client c = server_->connect();
  ASSERT_TRUE(c.send(test::raw_request("GET", "/thing")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  const auto date = core::parse_http_date(r->field("Date").value_or(""));
  const auto modified = core::parse_http_date(r->field("Last-Modified").value_or(""));
  ASSERT_TRUE(date && modified);
  EXPECT_LE(*modified, *date);
  EXPECT_LE(*date - *modified, 1s);
}

}  // namespace
}  // namespace herald::server
