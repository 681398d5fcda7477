// Path rules (src/handlers/path_rules.cpp): the command line's syntax and the checks of each
// part, matching of exact and prefix paths, how rules combine, the 103 of early-hints rules, and
// the resources the rules stand for, driven through the decision engine (gone 410, blocked 451
// with Link, each redirect code with Location and a hypertext note, 428 for an unsafe method on a
// resource that allows one).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <herald/core/safe_path.hpp>
#include <herald/handlers/path_rules.hpp>
#include <herald/server/engine.hpp>

#include "support/test_cases.hpp"

namespace herald::handlers {
namespace {

using test::PrintTo;
using testing::HasSubstr;

struct parse_case {
  std::string name;
  std::string text;
  rule_kind kind;
  std::string path;
  bool prefix;
  int code;
  std::string value;
};

class ParsePathRule : public testing::TestWithParam<parse_case> {};

TEST_P(ParsePathRule, ReadsEveryPart) {
  const parse_case& c = GetParam();
  const rule_result r = parse_path_rule(c.text);
  ASSERT_TRUE(r.rule) << r.error;
  EXPECT_EQ(r.rule->kind, c.kind);
  EXPECT_EQ(r.rule->path, c.path);
  EXPECT_EQ(r.rule->prefix, c.prefix);
  EXPECT_EQ(r.rule->code, c.code);
  EXPECT_EQ(r.rule->value, c.value);
}

INSTANTIATE_TEST_SUITE_P(
    Valid, ParsePathRule,
    testing::Values(
        parse_case{"Gone", "gone /old", rule_kind::gone, "/old", false, 0, ""},
        parse_case{"GonePrefix", "gone /old/*", rule_kind::gone, "/old/*", true, 0, ""},
        parse_case{"GoneEverything", "gone /*", rule_kind::gone, "/*", true, 0, ""},
        parse_case{"ExtraSpacesAndTabs", "  gone \t /old  ", rule_kind::gone, "/old", false, 0, ""},
        parse_case{"Blocked", "blocked /leak https://authority.example/", rule_kind::blocked,
                   "/leak", false, 0, "https://authority.example/"},
        parse_case{"Redirect301", "redirect 301 /old /new", rule_kind::redirect, "/old", false, 301,
                   "/new"},
        parse_case{"Redirect302", "redirect 302 /a https://example.com/b?x=1", rule_kind::redirect,
                   "/a", false, 302, "https://example.com/b?x=1"},
        parse_case{"Redirect307", "redirect 307 /form /form2", rule_kind::redirect, "/form", false,
                   307, "/form2"},
        parse_case{"Redirect308", "redirect 308 /api/* /v2/", rule_kind::redirect, "/api/*", true,
                   308, "/v2/"},
        parse_case{"RequirePrecondition", "require-precondition /doc",
                   rule_kind::require_precondition, "/doc", false, 0, ""},
        parse_case{"EarlyHintsKeepsSpaces", "early-hints / </style.css>; rel=preload; as=style",
                   rule_kind::early_hints, "/", false, 0, "</style.css>; rel=preload; as=style"},
        parse_case{"EarlyHintsBareLink", "early-hints /x </a.js>", rule_kind::early_hints, "/x",
                   false, 0, "</a.js>"}),
    test::case_name);

struct invalid_case {
  std::string name;
  std::string text;
  std::string message;  // a part of the error
};

class ParsePathRuleRejects : public testing::TestWithParam<invalid_case> {};

TEST_P(ParsePathRuleRejects, WithASentence) {
  const invalid_case& c = GetParam();
  const rule_result r = parse_path_rule(c.text);
  EXPECT_FALSE(r.rule) << "accepted " << c.text;
  EXPECT_THAT(r.error, HasSubstr(c.message));
}

INSTANTIATE_TEST_SUITE_P(
    Invalid, ParsePathRuleRejects,
    testing::Values(
        invalid_case{"Empty", "", "unknown rule kind \"\""},
        invalid_case{"UnknownKind", "vanish /old", "unknown rule kind \"vanish\""},
        invalid_case{"KindIsCaseSensitive", "Gone /old", "unknown rule kind"},
        invalid_case{"NoPath", "gone", "gone: needs a PATH"},
        invalid_case{"RelativePath", "gone old", "path old:"},
        invalid_case{"PathClimbsAboveRoot", "gone /../etc", "path /../etc:"},
        invalid_case{"EncodedSlash", "gone /a%2Fb", "path /a%2Fb:"},
        invalid_case{"StarInsideSegment", "gone /old*", "ends with \"/*\""},
        invalid_case{"GoneWithExtraWord", "gone /old /new", "unexpected \"/new\""},
        invalid_case{"BlockedWithoutEntity", "blocked /x", "blocked PATH ENTITY-URI"},
        invalid_case{"BlockedEntityNotAUri", "blocked /x http://exa mple", "unexpected"},
        invalid_case{"BlockedEntityWithAngle", "blocked /x http://a/>", "is not a URI reference"},
        invalid_case{"RedirectWithoutCode", "redirect /old /new", "redirect CODE PATH TARGET"},
        invalid_case{"RedirectWithoutTarget", "redirect 301 /old", "redirect CODE PATH TARGET"},
        invalid_case{"Redirect300", "redirect 300 /old /new", "status code 300"},
        invalid_case{"Redirect304", "redirect 304 /old /new", "status code 304"},
        invalid_case{"Redirect200", "redirect 200 /old /new", "status code 200"},
        invalid_case{"RedirectCodeTooLong", "redirect 3010 /old /new", "redirect CODE PATH"},
        invalid_case{"RedirectTargetNotAUri", "redirect 301 /old http://[bad", "target"},
        invalid_case{"EarlyHintsWithoutLink", "early-hints /", "needs a LINK"},
        invalid_case{"EarlyHintsNotALink", "early-hints / style.css", "must start with <URI>"},
        invalid_case{"EarlyHintsUnclosed", "early-hints / </style.css", "has no >"},
        invalid_case{"EarlyHintsNoSemicolon", "early-hints / </a.css> rel=preload",
                     "separate parameters"},
        invalid_case{"RequirePreconditionWithValue", "require-precondition /doc x",
                     "unexpected \"x\""}),
    test::case_name);

TEST(MakePathRule, RefusesPartsTheKindDoesNotUse) {
  EXPECT_THAT(make_path_rule({"gone", "/old", "/new"}).error, HasSubstr("takes only a PATH"));
  EXPECT_THAT(make_path_rule({"blocked", "/x", "https://a/", 301}).error,
              HasSubstr("takes no status code"));
  EXPECT_THAT(make_path_rule({"redirect", "/x", "/y"}).error, HasSubstr("needs a status code"));
  EXPECT_TRUE(make_path_rule({"redirect", "/x", "/y", 308}).rule);
  EXPECT_THAT(make_path_rule({"redirect", "/x", "/y", 99999999999}).error,
              HasSubstr("status code 99999999999"));
  EXPECT_THAT(make_path_rule({"early-hints", "/", "</a.css>\r\nX: y"}).error,
              HasSubstr("cannot be a field value"));
}

core::safe_path mapped(std::string_view path) {
  core::safe_path_result r = core::map_safe_path(path);
  EXPECT_TRUE(r) << path;
  return r.path;
}

struct match_case {
  std::string name;
  std::string rule;
  std::string request;
  bool matches;
};

class PathRuleMatches : public testing::TestWithParam<match_case> {};

TEST_P(PathRuleMatches, AfterNormalisation) {
  const match_case& c = GetParam();
  const rule_result r = parse_path_rule(c.rule);
  ASSERT_TRUE(r.rule) << r.error;
  EXPECT_EQ(r.rule->matches(mapped(c.request)), c.matches);
}

INSTANTIATE_TEST_SUITE_P(
    Table, PathRuleMatches,
    testing::Values(match_case{"ExactSame", "gone /old", "/old", true},
                    match_case{"ExactDotSegments", "gone /old", "/a/../old", true},
                    match_case{"ExactDoubleSlash", "gone /a/b", "//a//b", true},
                    match_case{"ExactDecodedBothSides", "gone /a%20b", "/a%20b", true},
                    match_case{"ExactEncodedLetter", "gone /old", "/%6Fld", true},
                    match_case{"ExactNotWithSlash", "gone /old", "/old/", false},
                    match_case{"ExactSlashNotWithout", "gone /old/", "/old", false},
                    match_case{"ExactNotBeneath", "gone /old", "/old/x", false},
                    match_case{"ExactCaseSensitive", "gone /old", "/OLD", false},
                    match_case{"PrefixItself", "gone /old/*", "/old", true},
                    match_case{"PrefixWithSlash", "gone /old/*", "/old/", true},
                    match_case{"PrefixBeneath", "gone /old/*", "/old/a/b.txt", true},
                    match_case{"PrefixWholeSegments", "gone /old/*", "/older", false},
                    match_case{"PrefixSibling", "gone /old/*", "/ol", false},
                    match_case{"PrefixDotSegmentsOut", "gone /old/*", "/old/../new", false},
                    match_case{"RootPrefixEverything", "gone /*", "/any/thing", true},
                    match_case{"RootPrefixRoot", "gone /*", "/", true},
                    match_case{"RootExact", "gone /", "/", true},
                    match_case{"RootExactNotFile", "gone /", "/index.html", false}),
    test::case_name);

path_rules rules_of(std::initializer_list<std::string_view> texts) {
  path_rules rules;
  for (std::string_view t : texts) {
    rule_result r = parse_path_rule(t);
    EXPECT_TRUE(r.rule) << r.error;
    if (r.rule) rules.add(std::move(*r.rule));
  }
  return rules;
}

TEST(PathRules, FirstAnsweringRuleWinsAndOthersAddUp) {
  const path_rules rules =
      rules_of({"early-hints /a/* </x.css>; rel=preload", "gone /a/old", "redirect 301 /a/* /b/",
                "require-precondition /a/*", "early-hints /a/old </y.js>"});
  const rule_match m = rules.match(mapped("/a/old"));
  ASSERT_NE(m.answer, nullptr);
  EXPECT_EQ(m.answer->kind, rule_kind::gone);
  EXPECT_TRUE(m.require_precondition);
  EXPECT_TRUE(m.early_hints);

  const rule_match other = rules.match(mapped("/a/other"));
  ASSERT_NE(other.answer, nullptr);
  EXPECT_EQ(other.answer->kind, rule_kind::redirect);

  const rule_match none = rules.match(mapped("/c"));
  EXPECT_EQ(none.answer, nullptr);
  EXPECT_FALSE(none.require_precondition);
  EXPECT_FALSE(none.early_hints);
}

TEST(PathRules, EarlyHintsGiveOne103WithEveryMatchingLink) {
  const path_rules rules =
      rules_of({"early-hints /* </site.css>; rel=preload; as=style", "gone /old",
                "early-hints /page </page.js>; rel=preload; as=script"});
  EXPECT_TRUE(rules.has_early_hints());
  const std::optional<server::interim_response> page = rules.early_hints(mapped("/page"));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 103);
  ASSERT_EQ(page->fields.size(), 2u);
  std::vector<std::string> links;
  for (const core::field f : page->fields) {
    EXPECT_EQ(f.name, "Link");
    links.emplace_back(f.value);
  }
  EXPECT_EQ(links, (std::vector<std::string>{"</site.css>; rel=preload; as=style",
                                             "</page.js>; rel=preload; as=script"}));
  const std::optional<server::interim_response> other = rules.early_hints(mapped("/other"));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->fields.size(), 1u);

  EXPECT_FALSE(rules_of({"gone /old"}).early_hints(mapped("/old")));
  EXPECT_FALSE(rules_of({"gone /old"}).has_early_hints());
}

// Through the engine.

std::string body_of(const server::response& r) {
  std::string out;
  for (const server::content_piece& p : r.body.pieces)
    if (const auto* text = std::get_if<std::string>(&p)) out += *text;
  return out;
}

struct decided {
  server::response r;
  std::vector<std::string_view> trace;
};

decided decide_with(server::resource& target, std::string_view method,
                    std::vector<http1::field_line> fields = {}) {
  http1::request_head head;
  head.method = method;
  head.known_method = core::parse_method(method);
  head.target = "/doc";
  head.path = "/doc";
  head.fields = std::move(fields);
  server::request req{head, {}, false, {}};
  server::engine_options o;
  o.now = std::chrono::sys_seconds(std::chrono::seconds(1700000000));
  decided out;
  out.r = server::decide(target, req, o, &out.trace);
  return out;
}

std::unique_ptr<server::resource> resource_for(std::string_view text) {
  const rule_result r = parse_path_rule(text);
  EXPECT_TRUE(r.rule) << r.error;
  return make_rule_resource(*r.rule);
}

TEST(RuleResource, GoneIs410) {
  auto target = resource_for("gone /doc");
  const decided d = decide_with(*target, "GET");
  EXPECT_EQ(d.r.status, 410);
  EXPECT_EQ(d.trace.back(), "gone");
  EXPECT_FALSE(d.r.fields.contains("Location"));
}

TEST(RuleResource, BlockedIs451WithTheBlockingEntity) {
  auto target = resource_for("blocked /doc https://authority.example/demands/7");
  const decided d = decide_with(*target, "GET");
  EXPECT_EQ(d.r.status, 451);
  // RFC 7725 §4.
  EXPECT_EQ(d.r.fields.find("Link"),
            std::optional<std::string_view>("<https://authority.example/demands/7>; "
                                            "rel=\"blocked-by\""));
}

struct redirect_case {
  std::string name;
  int code;
  std::string method;
};

class RuleRedirect : public testing::TestWithParam<redirect_case> {};

TEST_P(RuleRedirect, HasLocationAndAHypertextNote) {
  const redirect_case& c = GetParam();
  auto target = resource_for("redirect " + std::to_string(c.code) + " /doc /new?a=1&b=2");
  const decided d = decide_with(*target, c.method);
  EXPECT_EQ(d.r.status, c.code);
  EXPECT_EQ(d.r.fields.find("Location"), std::optional<std::string_view>("/new?a=1&b=2"));
  // RFC 9110 §15.4: a short hypertext note with a hyperlink to the target (the connection
  // drops it for HEAD).
  EXPECT_EQ(d.r.fields.find("Content-Type"),
            std::optional<std::string_view>("text/html; charset=utf-8"));
  EXPECT_THAT(body_of(d.r), HasSubstr("<a href=\"/new?a=1&amp;b=2\">"));
}

INSTANTIATE_TEST_SUITE_P(Codes, RuleRedirect,
                         testing::Values(redirect_case{"Moved301", 301, "GET"},
                                         redirect_case{"Found302", 302, "GET"},
                                         redirect_case{"SeeOther303", 303, "GET"},
                                         redirect_case{"Temporary307", 307, "GET"},
                                         redirect_case{"Permanent308", 308, "GET"},
                                         redirect_case{"Head301", 301, "HEAD"},
                                         redirect_case{"Head308", 308, "HEAD"}),
                         test::case_name);

TEST(RuleResource, AllowsGetHeadOptionsByDefault) {
  auto target = resource_for("redirect 308 /doc /new");
  EXPECT_EQ(decide_with(*target, "POST").r.status, 405);
  EXPECT_EQ(decide_with(*target, "OPTIONS").r.status, 204);
  const path_rule rule = *parse_path_rule("redirect 308 /doc /new").rule;
  auto writable = make_rule_resource(
      rule, {core::method::get, core::method::head, core::method::options, core::method::post});
  // RFC 9110 §15.4.9: 308 tells the client to repeat the POST at the target.
  EXPECT_EQ(decide_with(*writable, "POST").r.status, 308);
}

// A resource that stores a document with PUT.
class writable_document final : public server::resource {
 public:
  server::method_set allowed_methods(const server::request&) override {
    return {core::method::get, core::method::head, core::method::options, core::method::put,
            core::method::delete_};
  }
  server::validators validators_of(const server::request&, std::size_t) override {
    return {core::make_strong_tag("v1"),
            std::chrono::sys_seconds(std::chrono::seconds(1700000000 - 100))};
  }
  server::representation describe(const server::request&, std::size_t) override {
    return {"text/plain", {}, {}, 0, true};
  }
};

TEST(RequiringPrecondition, UnsafeMethodWithoutPreconditionIs428) {
  auto target = requiring_precondition(std::make_unique<writable_document>());
  for (std::string_view method : {"PUT", "DELETE"}) {
    const decided d = decide_with(*target, method);
    EXPECT_EQ(d.r.status, 428) << method;
    EXPECT_EQ(d.trace.back(), "precondition_required") << method;
  }
}

TEST(RequiringPrecondition, ConditionalRequestsProceed) {
  auto target = requiring_precondition(std::make_unique<writable_document>());
  EXPECT_EQ(decide_with(*target, "PUT", {{"If-Match", "\"v1\""}}).r.status, 204);
  EXPECT_EQ(decide_with(*target, "PUT", {{"If-Match", "\"v0\""}}).r.status, 412);
  EXPECT_EQ(
      decide_with(*target, "DELETE", {{"If-Unmodified-Since", "Tue, 14 Nov 2023 22:13:20 GMT"}})
          .r.status,
      204);
}

TEST(RequiringPrecondition, SafeMethodsAreUnaffected) {
  auto target = requiring_precondition(std::make_unique<writable_document>());
  EXPECT_EQ(decide_with(*target, "GET").r.status, 200);
  EXPECT_EQ(decide_with(*target, "HEAD").r.status, 200);
}

TEST(RequiringPrecondition, ForwardsTheInnerResource) {
  auto target = requiring_precondition(std::make_unique<writable_document>());
  const decided d = decide_with(*target, "GET", {{"If-None-Match", "\"v1\""}});
  EXPECT_EQ(d.r.status, 304);
  EXPECT_EQ(decide_with(*target, "POST").r.fields.find("Allow"),
            std::optional<std::string_view>("DELETE, GET, HEAD, OPTIONS, PUT"));
}

}  // namespace
}  // namespace herald::handlers
