// The bodies herald writes for its own errors (src/server/error_page.cpp): problem+json, HTML or
// text by Accept, each saying whether the condition is temporary; and the same choice made end
// to end for a 413.

#include "server/error_page.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "support/raw_client.hpp"
#include "support/test_cases.hpp"

namespace herald::server {
namespace {

using test::PrintTo;
using testing::HasSubstr;

std::string text_of(const response& r) {
  std::string out;
  for (const content_piece& p : r.body.pieces) out += std::get<std::string>(p);
  return out;
}

TEST(IsTemporary, NamesTheConditionsARetryCanCure) {
  for (int code : {408, 423, 425, 429, 502, 503, 504, 507}) EXPECT_TRUE(is_temporary(code)) << code;
  for (int code : {400, 401, 403, 404, 405, 413, 414, 421, 431, 500, 501, 505})
    EXPECT_FALSE(is_temporary(code)) << code;
}

TEST(ErrorResponse, ProblemJsonCarriesTitleStatusDetailAndReason) {
  response r = error_response(413, "The content is too large (64 octets).",
                              "application/problem+json", "content-too-large");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.reason_token, "content-too-large");
  EXPECT_EQ(r.fields.find("Content-Type"), "application/problem+json");
  EXPECT_EQ(r.fields.find("Vary"), "Accept");
  const std::string body = text_of(r);
  nlohmann::json j = nlohmann::json::parse(body);
  EXPECT_EQ(j["type"], "about:blank");
  EXPECT_EQ(j["title"], "Content Too Large");
  EXPECT_EQ(j["status"], 413);
  EXPECT_EQ(j["detail"], "The content is too large (64 octets).");
  EXPECT_EQ(j["temporary"], false);
  EXPECT_EQ(j["reason"], "content-too-large");
  EXPECT_EQ(r.body.size(), body.size());
}

TEST(ErrorResponse, ProblemJsonOmitsAnEmptyReason) {
  nlohmann::json j = nlohmann::json::parse(text_of(error_response(503, "busy", std::nullopt)));
  EXPECT_FALSE(j.contains("reason"));
  EXPECT_EQ(j["temporary"], true);
}

TEST(ErrorResponse, HtmlEscapesTheDetail) {
  response r = error_response(400, "bad <script>alert('x')</script> & \"more\"", "text/html");
  EXPECT_EQ(r.fields.find("Content-Type"), "text/html; charset=utf-8");
  const std::string body = text_of(r);
  EXPECT_THAT(body, HasSubstr("<title>400 Bad Request</title>"));
  EXPECT_THAT(
      body,
      HasSubstr("bad &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;more&quot;"));
  EXPECT_THAT(body, testing::Not(HasSubstr("<script>")));
  EXPECT_THAT(body, HasSubstr("permanent"));
}

TEST(ErrorResponse, TextSaysWhetherARetryMayHelp) {
  response r = error_response(503, "The server is shutting down.", "text/plain");
  EXPECT_EQ(r.fields.find("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(text_of(r),
            "503 Service Unavailable\nThe server is shutting down.\n"
            "This condition is temporary: the same request may succeed later.\n");
}

TEST(ErrorResponse, NoContentWhereTheStatusForbidsIt) {
  for (int code : {100, 103, 204, 205, 304}) {
    response r = error_response(code, "detail", "text/plain", "token");
    EXPECT_TRUE(r.body.empty()) << code;
    EXPECT_FALSE(r.fields.contains("Content-Type")) << code;
    EXPECT_EQ(r.reason_token, "token");
  }
}

struct format_case {
  std::string name;
  std::optional<std::string> accept;
  std::string content_type;
  std::string body_start;
};

class ErrorFormat : public testing::TestWithParam<format_case> {};

TEST_P(ErrorFormat, FollowsAccept) {
  const format_case& c = GetParam();
  std::optional<std::string_view> accept;
  if (c.accept) accept = *c.accept;
  response r = error_response(404, "No such thing.", accept);
  EXPECT_EQ(r.fields.find("Content-Type"), c.content_type);
  EXPECT_EQ(text_of(r).substr(0, c.body_start.size()), c.body_start);
}

INSTANTIATE_TEST_SUITE_P(
    Accept, ErrorFormat,
    testing::Values(
        format_case{"None", std::nullopt, "application/problem+json", "{\"type\""},
        format_case{"Anything", "*/*", "application/problem+json", "{\"type\""},
        format_case{"ProblemJson", "application/problem+json", "application/problem+json", "{"},
        format_case{"Html", "text/html", "text/html; charset=utf-8", "<!DOCTYPE html>"},
        format_case{"BrowserAccept",
                    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                    "text/html; charset=utf-8", "<!DOCTYPE html>"},
        format_case{"Text", "text/plain", "text/plain; charset=utf-8", "404 Not Found\n"},
        format_case{"TextPreferredByQuality", "text/html;q=0.5, text/plain",
                    "text/plain; charset=utf-8", "404 Not Found\n"},
        format_case{"AnyText", "text/*", "text/html; charset=utf-8", "<!DOCTYPE html>"},
        // RFC 9110 §15.5.7: an error may go out in a form the client did not ask for.
        format_case{"NothingAcceptable", "image/png", "text/plain; charset=utf-8",
                    "404 Not Found\n"}),
    test::case_name);

// ----- end to end: a 413 in each form, and without content for HEAD --------------------------

class small_handler : public handler {
 public:
  content_decision prepare(const request&) override { return content_decision::accept(8); }
  response handle(request&) override { return response(204); }
};

class ErrorFormatOnTheWire : public testing::TestWithParam<format_case> {};

TEST_P(ErrorFormatOnTheWire, FollowsAccept) {
  const format_case& c = GetParam();
  small_handler h;
  test::running_server s(test::test_options(), h);
  test::raw_client client = s.connect();
  std::vector<std::string> lines{"Content-Length: 100"};
  if (c.accept) lines.push_back("Accept: " + *c.accept);
  ASSERT_TRUE(client.send(test::raw_request("POST", "/upload", lines)));
  auto r = client.read_response("POST");
  ASSERT_TRUE(r) << to_string(client.last_end());
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->field("Content-Type"), c.content_type);
  EXPECT_EQ(r->body.substr(0, c.body_start.size()), c.body_start);
  EXPECT_EQ(r->field("Content-Length"), std::to_string(r->body.size()));
  EXPECT_TRUE(r->has_token("Vary", "Accept"));
  EXPECT_TRUE(r->has_token("Connection", "close"));
}

INSTANTIATE_TEST_SUITE_P(
    Accept, ErrorFormatOnTheWire,
    testing::Values(format_case{"None", std::nullopt, "application/problem+json", "{\"type\""},
                    format_case{"Html", "text/html", "text/html; charset=utf-8", "<!DOCTYPE html>"},
                    format_case{"Text", "text/plain", "text/plain; charset=utf-8",
                                "413 Content Too Large\n"}),
    test::case_name);

}  // namespace
}  // namespace herald::server
