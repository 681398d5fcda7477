// application/x-www-form-urlencoded and base64 (src/core/form.cpp): '+' and percent-escapes,
// malformed escapes kept, empty items, repeated names; RFC 4648's test vectors in both
// alphabets, optional padding, and every kind of bad input refused.

#include <herald/core/form.hpp>

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

// ----- form-urlencoded ---------------------------------------------------------------------------

TEST(FormUrlencoded, PairsInOrderWithRepeatedNames) {
  EXPECT_EQ(parse_form_urlencoded("name=Ada+Lovelace&lang=en&lang=fr&pct=%41"),
            (pairs{{"name", "Ada Lovelace"}, {"lang", "en"}, {"lang", "fr"}, {"pct", "A"}}));
}

TEST(FormUrlencoded, NamesAreDecodedToo) {
  EXPECT_EQ(parse_form_urlencoded("first+name=x&a%5Bb%5D=%7e"),
            (pairs{{"first name", "x"}, {"a[b]", "~"}}));
}

TEST(FormUrlencoded, EncodedPlusAndAmpersandAndEqualsAreData) {
  EXPECT_EQ(parse_form_urlencoded("q=1%2B1%3D2%26more"), (pairs{{"q", "1+1=2&more"}}));
}

TEST(FormUrlencoded, OnlyTheFirstEqualsSplits) {
  EXPECT_EQ(parse_form_urlencoded("expr=a=b=c"), (pairs{{"expr", "a=b=c"}}));
}

TEST(FormUrlencoded, ItemWithoutEqualsHasAnEmptyValue) {
  EXPECT_EQ(parse_form_urlencoded("flag&x=1&empty="),
            (pairs{{"flag", ""}, {"x", "1"}, {"empty", ""}}));
}

TEST(FormUrlencoded, EmptyItemsAreSkipped) {
  EXPECT_EQ(parse_form_urlencoded("&&a=1&&&b=2&"), (pairs{{"a", "1"}, {"b", "2"}}));
  EXPECT_TRUE(parse_form_urlencoded("").empty());
  EXPECT_TRUE(parse_form_urlencoded("&&").empty());
}

TEST(FormUrlencoded, EmptyNameIsKept) {
  EXPECT_EQ(parse_form_urlencoded("=v"), (pairs{{"", "v"}}));
}

TEST(FormUrlencoded, MalformedEscapesAreKeptAsWritten) {
  EXPECT_EQ(parse_form_urlencoded("a=%zz&b=100%&c=%4&d=%%41"),
            (pairs{{"a", "%zz"}, {"b", "100%"}, {"c", "%4"}, {"d", "%A"}}));
}

TEST(FormUrlencoded, OctetsAreDecodedAsOctets) {
  EXPECT_EQ(parse_form_urlencoded("u=%C3%A9&z=%00"),
            (pairs{{"u", "\xC3\xA9"}, {"z", std::string(1, '\0')}}));
}

// ----- base64 ------------------------------------------------------------------------------------

struct vector_case {
  std::string name;
  std::string octets;
  std::string text;
};

class Base64Vectors : public testing::TestWithParam<vector_case> {};

// RFC 4648 §10.
INSTANTIATE_TEST_SUITE_P(Rfc4648, Base64Vectors,
                         testing::Values(vector_case{"Empty", "", ""},
                                         vector_case{"f", "f", "Zg=="},
                                         vector_case{"fo", "fo", "Zm8="},
                                         vector_case{"foo", "foo", "Zm9v"},
                                         vector_case{"foob", "foob", "Zm9vYg=="},
                                         vector_case{"fooba", "fooba", "Zm9vYmE="},
                                         vector_case{"foobar", "foobar", "Zm9vYmFy"}),
                         case_name);

TEST_P(Base64Vectors, EncodeGivesTheText) { EXPECT_EQ(base64_encode(GetParam().octets), GetParam().text); }

TEST_P(Base64Vectors, DecodeGivesTheOctets) {
  EXPECT_EQ(base64_decode(GetParam().text), GetParam().octets);
}

TEST_P(Base64Vectors, DecodeWithoutPaddingGivesTheOctets) {
  std::string text = GetParam().text;
  while (!text.empty() && text.back() == '=') text.pop_back();
  EXPECT_EQ(base64_decode(text), GetParam().octets) << text;
  EXPECT_EQ(base64_decode(text, true), GetParam().octets) << text;
}

TEST(Base64, BinaryRoundTrip) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(base64_decode(base64_encode(all)), all);
}

TEST(Base64, UrlAlphabetUsesMinusAndUnderscore) {
  // 0xFB 0xFF 0xFE is "+//+" in the standard alphabet, "-__-" in the URL one (RFC 4648 §5).
  const std::string octets("\xFB\xFF\xFE", 3);
  EXPECT_EQ(base64_encode(octets), "+//+");
  EXPECT_EQ(base64_decode("+//+"), octets);
  EXPECT_EQ(base64_decode("-__-", true), octets);
  EXPECT_FALSE(base64_decode("-__-")) << "'-' and '_' are not in the standard alphabet";
  EXPECT_EQ(base64_decode("aGVsbG8_Pg", true), "hello?>");
}

TEST(Base64, UrlAlphabetRefusesPlusAndSlash) {
  // RFC 4648 §3.3: characters outside the alphabet in use MUST be rejected; form.hpp promises
  // nullopt for anything but the URL alphabet when url_safe is set. (Fails on purpose: the
  // decoder accepts both alphabets at once; reported.)
  EXPECT_FALSE(base64_decode("+//+", true));
  EXPECT_FALSE(base64_decode("aGVsbG8/Pg", true));
}

TEST(Base64, Credentials) {
  EXPECT_EQ(base64_encode("user:passwd"), "dXNlcjpwYXNzd2Q=");
  EXPECT_EQ(base64_decode("dXNlcjpwYXNzd2Q="), "user:passwd");
}

struct bad_case {
  std::string name;
  std::string text;
};

class Base64Bad : public testing::TestWithParam<bad_case> {};

TEST_P(Base64Bad, IsRefused) {
  auto decoded = base64_decode(GetParam().text);
  EXPECT_FALSE(decoded) << "decoded to " << decoded->size() << " octets";
}

INSTANTIATE_TEST_SUITE_P(Cases, Base64Bad,
                         testing::Values(bad_case{"OneCharacterLeftOver", "Zm9vY"},
                                         bad_case{"ThreePads", "Zg==="},
                                         bad_case{"OnlyPadding", "===="},
                                         bad_case{"PaddingInTheMiddle", "Zg==Zm8="},
                                         bad_case{"PadThenData", "Z=g="},
                                         bad_case{"Space", "Zm9v YmFy"},
                                         bad_case{"Newline", "Zm9v\nYmFy"},
                                         bad_case{"TrailingNewline", "Zm9v\n"},
                                         bad_case{"Punctuation", "Zm9v!"},
                                         bad_case{"NonAscii", "Zm9v\xC3\xA9"},
                                         bad_case{"Nul", std::string("Zm\0v", 4)}),
                         case_name);

}  // namespace
}  // namespace herald::core
