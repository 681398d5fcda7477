// Auth-param lists and challenges (src/core/auth_params.cpp; RFC 9110 §11.2–11.3): quoted
// strings with escapes, token values, BWS around "=", empty list elements, token68 with its
// padding, several challenges in one field value (RFC 7235 §4.1's example), and malformed
// input refused as a whole.

#include <herald/core/auth_params.hpp>

#include <gtest/gtest.h>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/test_cases.hpp"

namespace herald::core {
namespace {

using herald::test::case_name;
using herald::test::PrintTo;
using pairs = std::vector<std::pair<std::string, std::string>>;

// ----- parse_auth_params -------------------------------------------------------------------------

TEST(AuthParams, DigestCredentialsInOrderWithQuotesRemoved) {
  auto list = parse_auth_params(
      R"(username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm=MD5, nc=00000001, qop=auth)");
  ASSERT_TRUE(list);
  EXPECT_EQ(*list, (pairs{{"username", "Mufasa"},
                          {"realm", "http-auth@example.org"},
                          {"uri", "/dir/index.html"},
                          {"algorithm", "MD5"},
                          {"nc", "00000001"},
                          {"qop", "auth"}}));
}

TEST(AuthParams, QuotedPairsAreUnescaped) {
  auto list = parse_auth_params(R"(title="Login to \"apps\"", path="a\\b", plain="\x")");
  ASSERT_TRUE(list);
  EXPECT_EQ(*list, (pairs{{"title", "Login to \"apps\""}, {"path", "a\\b"}, {"plain", "x"}}));
}

TEST(AuthParams, CommasInsideQuotesDoNotSplit) {
  auto list = parse_auth_params(R"(qop="auth,auth-int", a=1)");
  ASSERT_TRUE(list);
  EXPECT_EQ(*list, (pairs{{"qop", "auth,auth-int"}, {"a", "1"}}));
}

TEST(AuthParams, WhitespaceAroundEqualsAndEmptyElements) {
  // BWS around "=" (RFC 9110 §11.2) and empty list elements (§5.6.1).
  auto list = parse_auth_params(" ,a = 1 ,, b\t=\t\"two\" , ");
  ASSERT_TRUE(list);
  EXPECT_EQ(*list, (pairs{{"a", "1"}, {"b", "two"}}));
}

TEST(AuthParams, RepeatedNamesAreKeptInOrder) {
  auto list = parse_auth_params("a=1, a=2");
  ASSERT_TRUE(list);
  EXPECT_EQ(*list, (pairs{{"a", "1"}, {"a", "2"}}));
}

TEST(AuthParams, EmptyListHasNoParameters) {
  auto list = parse_auth_params("");
  ASSERT_TRUE(list);
  EXPECT_TRUE(list->empty());
  auto commas = parse_auth_params(" , ,");
  ASSERT_TRUE(commas);
  EXPECT_TRUE(commas->empty());
}

TEST(AuthParams, EmptyQuotedValueIsAValue) {
  auto list = parse_auth_params(R"(opaque="")");
  ASSERT_TRUE(list);
  EXPECT_EQ(*list, (pairs{{"opaque", ""}}));
}

struct malformed_case {
  std::string name;
  std::string text;
};

class AuthParamsMalformed : public testing::TestWithParam<malformed_case> {};

TEST_P(AuthParamsMalformed, IsRefused) {
  auto list = parse_auth_params(GetParam().text);
  EXPECT_FALSE(list) << "parsed " << list->size() << " parameters";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, AuthParamsMalformed,
    testing::Values(malformed_case{"NameWithoutValue", "a"},
                    malformed_case{"NameAndEqualsOnly", "a="},
                    malformed_case{"ValueWithoutName", "=1"},
                    malformed_case{"MissingComma", "a=1 b=2"},
                    malformed_case{"UnterminatedQuote", R"(a="open)"},
                    malformed_case{"EscapeAtTheEnd", R"(a="x\)"},
                    malformed_case{"TextAfterQuotedValue", R"(a="x"y)"},
                    malformed_case{"SeparatorInToken", "a=b/c"},
                    malformed_case{"SemicolonSeparator", "a=1; b=2"}),
    case_name);

// ----- parse_challenges --------------------------------------------------------------------------

TEST(Challenges, Rfc7235ExampleHasTwoChallenges) {
  // RFC 7235 §4.1 (and RFC 9110 §11.6.1): two challenges in one value, one of them with a
  // quoted-string holding escaped quotes and a comma-free token value.
  auto c = parse_challenges(
      R"(Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple")");
  ASSERT_TRUE(c);
  ASSERT_EQ(c->size(), 2u);
  EXPECT_EQ((*c)[0].scheme, "Newauth");
  EXPECT_EQ((*c)[0].token68, "");
  EXPECT_EQ((*c)[0].params,
            (pairs{{"realm", "apps"}, {"type", "1"}, {"title", "Login to \"apps\""}}));
  EXPECT_EQ((*c)[1].scheme, "Basic");
  EXPECT_EQ((*c)[1].params, (pairs{{"realm", "simple"}}));
}

TEST(Challenges, Token68WithPadding) {
  auto c = parse_challenges("Negotiate YIIBhgYGKwYBBQUCoIIBejCCAXagGDAW+/-._~==");
  ASSERT_TRUE(c);
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ((*c)[0].scheme, "Negotiate");
  EXPECT_EQ((*c)[0].token68, "YIIBhgYGKwYBBQUCoIIBejCCAXagGDAW+/-._~==");
  EXPECT_TRUE((*c)[0].params.empty());
}

TEST(Challenges, Token68EndingInOnePadIsNotAParameter) {
  // "abc=" could start an auth-param only if a value followed the "=".
  auto c = parse_challenges("Bearer abc=, Basic realm=x");
  ASSERT_TRUE(c);
  ASSERT_EQ(c->size(), 2u);
  EXPECT_EQ((*c)[0].token68, "abc=");
  EXPECT_TRUE((*c)[0].params.empty());
  EXPECT_EQ((*c)[1].scheme, "Basic");
  EXPECT_EQ((*c)[1].params, (pairs{{"realm", "x"}}));
}

TEST(Challenges, SchemeAloneAndSchemesSeparatedByEmptyElements) {
  auto c = parse_challenges("Basic, , Negotiate ,Digest realm=\"r\", nonce=\"n\"");
  ASSERT_TRUE(c);
  ASSERT_EQ(c->size(), 3u);
  EXPECT_EQ((*c)[0].scheme, "Basic");
  EXPECT_TRUE((*c)[0].params.empty());
  EXPECT_EQ((*c)[1].scheme, "Negotiate");
  EXPECT_TRUE((*c)[1].params.empty());
  EXPECT_EQ((*c)[1].token68, "");
  EXPECT_EQ((*c)[2].scheme, "Digest");
  EXPECT_EQ((*c)[2].params, (pairs{{"realm", "r"}, {"nonce", "n"}}));
}

TEST(Challenges, DigestChallengeWithQopListAndParamLookup) {
  auto c = parse_challenges(
      R"(Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")");
  ASSERT_TRUE(c);
  ASSERT_EQ(c->size(), 1u);
  const challenge& d = (*c)[0];
  ASSERT_NE(d.param("qop"), nullptr);
  EXPECT_EQ(*d.param("qop"), "auth, auth-int");
  ASSERT_NE(d.param("ALGORITHM"), nullptr) << "names compare case-insensitively";
  EXPECT_EQ(*d.param("ALGORITHM"), "SHA-256");
  EXPECT_EQ(*d.param("nonce"), "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v");
  EXPECT_EQ(d.param("stale"), nullptr);
}

TEST(Challenges, SchemeKeepsItsSpelling) {
  auto c = parse_challenges("bAsIc realm=\"x\"");
  ASSERT_TRUE(c);
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ((*c)[0].scheme, "bAsIc");
}

TEST(Challenges, BwsAroundEqualsInChallengeParameters) {
  auto c = parse_challenges("Basic realm = \"x\" , charset=UTF-8");
  ASSERT_TRUE(c);
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ((*c)[0].params, (pairs{{"realm", "x"}, {"charset", "UTF-8"}}));
}

TEST(Challenges, EmptyValueHasNoChallenges) {
  auto c = parse_challenges("");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->empty());
}

TEST(Challenges, ParametersOfTheSecondChallengeStayWithIt) {
  auto c = parse_challenges(R"(Basic realm="a", Digest realm="b", nonce="n", Bearer)");
  ASSERT_TRUE(c);
  ASSERT_EQ(c->size(), 3u);
  EXPECT_EQ((*c)[0].params, (pairs{{"realm", "a"}}));
  EXPECT_EQ((*c)[1].params, (pairs{{"realm", "b"}, {"nonce", "n"}}));
  EXPECT_EQ((*c)[2].scheme, "Bearer");
  EXPECT_TRUE((*c)[2].params.empty());
}

class ChallengesMalformed : public testing::TestWithParam<malformed_case> {};

TEST_P(ChallengesMalformed, IsRefused) {
  auto c = parse_challenges(GetParam().text);
  EXPECT_FALSE(c) << "parsed " << c->size() << " challenges";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ChallengesMalformed,
    testing::Values(malformed_case{"ParameterWithoutScheme", R"(realm="x")"},
                    malformed_case{"UnterminatedQuote", R"(Basic realm="x)"},
                    malformed_case{"TextAfterQuotedValue", R"(Basic realm="x" junk)"},
                    malformed_case{"Token68FollowedByJunk", "Basic a@b"},
                    malformed_case{"Token68ThenParameter", "Basic abc realm=x"},
                    malformed_case{"SchemeGluedToQuote", R"(Basic"x")"},
                    malformed_case{"NotAToken", "@Basic"},
                    malformed_case{"ParameterValueMissing", "Basic realm=\"x\", a=, Digest"}),
    case_name);

}  // namespace
}  // namespace herald::core
