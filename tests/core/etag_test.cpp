#include <array>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <herald/core/etag.hpp>

#include "support/test_cases.hpp"

namespace herald::core {
namespace {

using namespace std::string_view_literals;
using testing::ElementsAreArray;

static_assert(std::forward_iterator<entity_tag_list::iterator>);

using herald::test::case_name;

// ---------------------------------------------------------------------------------------------
// A single entity-tag (the ETag field).

struct valid_tag_case {
  std::string_view name;
  std::string_view input;
  bool weak;
  std::string_view opaque;  // without the quotes
};

class EntityTagValid : public testing::TestWithParam<valid_tag_case> {};

TEST_P(EntityTagValid, ParsesAndFormatsBack) {
  const valid_tag_case& c = GetParam();
  const std::optional<entity_tag> tag = parse_entity_tag(c.input);
  ASSERT_TRUE(tag.has_value()) << c.input;
  EXPECT_EQ(tag->weak, c.weak);
  EXPECT_EQ(tag->opaque, c.opaque);
  // The opaque view points into the input, between the quotes.
  EXPECT_EQ(tag->opaque.data(), c.input.data() + (c.weak ? 3 : 1));
  EXPECT_EQ(to_string(*tag), c.input);
  EXPECT_EQ(formatted_size(*tag), c.input.size());
}

INSTANTIATE_TEST_SUITE_P(
    Rfc9110, EntityTagValid,
    testing::Values(valid_tag_case{"strong", R"("xyzzy")", false, "xyzzy"},
                    valid_tag_case{"weak", R"(W/"xyzzy")", true, "xyzzy"},
                    valid_tag_case{"empty_strong", R"("")", false, ""},
                    valid_tag_case{"empty_weak", R"(W/"")", true, ""},
                    // etagc has no quoted-pair: a backslash is an ordinary character, even before
                    // the closing quote.
                    valid_tag_case{"backslash", R"("a\b")", false, R"(a\b)"},
                    valid_tag_case{"lone_backslash", R"("\")", false, R"(\)"},
                    valid_tag_case{"all_punctuation", R"("!#$%&'()*+,-./:;<=>?@[\]^_`{|}~")", false,
                                   R"(!#$%&'()*+,-./:;<=>?@[\]^_`{|}~)"},
                    valid_tag_case{"comma_inside", R"(W/"a,b")", true, "a,b"},
                    valid_tag_case{"star_inside", R"("*")", false, "*"},
                    valid_tag_case{"weak_prefix_inside", R"("W/")", false, "W/"},
                    valid_tag_case{"obs_text", "\"\x80\xff\"", false, "\x80\xff"},
                    valid_tag_case{"typical_file_tag", R"("5f3c1a2b-4d2")", false, "5f3c1a2b-4d2"}),
    case_name);

struct invalid_tag_case {
  std::string_view name;
  std::string_view input;
};

class EntityTagInvalid : public testing::TestWithParam<invalid_tag_case> {};

TEST_P(EntityTagInvalid, IsRejected) {
  EXPECT_EQ(parse_entity_tag(GetParam().input), std::nullopt) << GetParam().input;
}

INSTANTIATE_TEST_SUITE_P(
    Rfc9110, EntityTagInvalid,
    testing::Values(
        invalid_tag_case{"empty", ""}, invalid_tag_case{"unquoted", "xyzzy"},
        invalid_tag_case{"lone_quote", R"(")"}, invalid_tag_case{"unterminated", R"("xyzzy)"},
        invalid_tag_case{"no_opening_quote", R"(xyzzy")"},
        // weak = %s"W/": the W is case-sensitive.
        invalid_tag_case{"lowercase_weak", R"(w/"xyzzy")"},
        invalid_tag_case{"weak_without_slash", R"(W"xyzzy")"},
        invalid_tag_case{"weak_unquoted", "W/xyzzy"}, invalid_tag_case{"weak_only", "W/"},
        invalid_tag_case{"space_after_weak", R"(W/ "xyzzy")"},
        invalid_tag_case{"double_weak", R"(W/W/"xyzzy")"},
        invalid_tag_case{"leading_space", R"( "xyzzy")"},
        invalid_tag_case{"trailing_space", R"("xyzzy" )"},
        invalid_tag_case{"trailing_garbage", R"("xyzzy"x)"},
        invalid_tag_case{"two_tags", R"("a""b")"}, invalid_tag_case{"list", R"("a", "b")"},
        invalid_tag_case{"trailing_comma", R"("a",)"},
        // A quoted-string escape is not honoured: `"a\"` is a whole tag, then `b"` is garbage.
        invalid_tag_case{"escaped_quote", R"("a\"b")"},
        invalid_tag_case{"space_inside", R"("a b")"}, invalid_tag_case{"tab_inside", "\"a\tb\""},
        invalid_tag_case{"del_inside", "\"a\x7f\""}, invalid_tag_case{"nul_inside", "\"a\0\""sv},
        invalid_tag_case{"cr_inside", "\"a\r\""}, invalid_tag_case{"star", "*"},
        invalid_tag_case{"single_quotes", "'xyzzy'"}),
    case_name);

// ---------------------------------------------------------------------------------------------
// Comparison: the table of RFC 9110 §8.8.3.2.

struct comparison_case {
  std::string_view name;
  std::string_view a;
  std::string_view b;
  bool strong;
  bool weak;
};

class EntityTagComparison : public testing::TestWithParam<comparison_case> {};

TEST_P(EntityTagComparison, MatchesTheRfcTable) {
  const comparison_case& c = GetParam();
  const auto a = parse_entity_tag(c.a);
  const auto b = parse_entity_tag(c.b);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(strong_match(*a, *b), c.strong);
  EXPECT_EQ(weak_match(*a, *b), c.weak);
  // Both comparisons are symmetric.
  EXPECT_EQ(strong_match(*b, *a), c.strong);
  EXPECT_EQ(weak_match(*b, *a), c.weak);
  EXPECT_EQ(matches(*a, *b, etag_comparison::strong), c.strong);
  EXPECT_EQ(matches(*a, *b, etag_comparison::weak), c.weak);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc9110, EntityTagComparison,
    testing::Values(comparison_case{"weak_1_weak_1", R"(W/"1")", R"(W/"1")", false, true},
                    comparison_case{"weak_1_weak_2", R"(W/"1")", R"(W/"2")", false, false},
                    comparison_case{"weak_1_strong_1", R"(W/"1")", R"("1")", false, true},
                    comparison_case{"strong_1_strong_1", R"("1")", R"("1")", true, true},
                    // Beyond the RFC's table: opaque-tags compare octet by octet.
                    comparison_case{"strong_1_strong_2", R"("1")", R"("2")", false, false},
                    comparison_case{"case_differs", R"("a")", R"("A")", false, false},
                    comparison_case{"prefix", R"("ab")", R"("a")", false, false},
                    comparison_case{"empty_empty", R"("")", R"("")", true, true}),
    case_name);

TEST(EntityTag, EqualityIsIdentityNotAComparisonFunction) {
  EXPECT_EQ((entity_tag{true, "1"}), (entity_tag{true, "1"}));
  EXPECT_NE((entity_tag{true, "1"}), (entity_tag{false, "1"}));
  EXPECT_NE((entity_tag{false, "1"}), (entity_tag{false, "2"}));
  // Identical weak tags are equal, yet do not match strongly.
  EXPECT_FALSE(strong_match(entity_tag{true, "1"}, entity_tag{true, "1"}));
}

// ---------------------------------------------------------------------------------------------
// Building and formatting.

TEST(EntityTag, MakeStrongAndWeakTagsFromEtagcCharacters) {
  const std::string value = "5f3c1a2b-4d2";
  const auto strong = make_strong_tag(value);
  ASSERT_TRUE(strong.has_value());
  EXPECT_FALSE(strong->weak);
  EXPECT_EQ(strong->opaque.data(), value.data());
  EXPECT_EQ(to_string(*strong), R"("5f3c1a2b-4d2")");

  const auto weak = make_weak_tag(value);
  ASSERT_TRUE(weak.has_value());
  EXPECT_TRUE(weak->weak);
  EXPECT_EQ(to_string(*weak), R"(W/"5f3c1a2b-4d2")");

  EXPECT_EQ(make_strong_tag(""), (entity_tag{false, ""}));
  EXPECT_EQ(make_strong_tag("a\\b"), (entity_tag{false, "a\\b"}));
  EXPECT_EQ(make_strong_tag("\x80"), (entity_tag{false, "\x80"}));
}

TEST(EntityTag, MakeRejectsCharactersOutsideEtagc) {
  for (std::string_view bad : {"a\"b"sv, "a b"sv, "a\tb"sv, "\x7f"sv, "a\0"sv, "\r\n"sv, "\""sv}) {
    EXPECT_EQ(make_strong_tag(bad), std::nullopt) << bad;
    EXPECT_EQ(make_weak_tag(bad), std::nullopt) << bad;
  }
  EXPECT_FALSE(is_etagc(' '));
  EXPECT_FALSE(is_etagc('"'));
  EXPECT_TRUE(is_etagc('!'));
  EXPECT_TRUE(is_etagc('#'));
  EXPECT_TRUE(is_etagc('~'));
  EXPECT_FALSE(is_etagc('\x7f'));
  EXPECT_TRUE(is_etagc('\x80'));
}

TEST(EntityTag, FormatIntoABufferWritesExactlyTheTag) {
  const entity_tag tag{true, "abc"};
  std::array<char, 16> buffer;
  buffer.fill('#');
  ASSERT_EQ(formatted_size(tag), 7u);
  EXPECT_EQ(format_entity_tag(tag, std::span{buffer.data(), 7}), 7u);
  EXPECT_EQ(std::string_view(buffer.data(), 7), R"(W/"abc")");
  EXPECT_EQ(buffer[7], '#');
}

TEST(EntityTag, FormatIntoATooSmallBufferWritesNothing) {
  const entity_tag tag{false, "abc"};
  std::array<char, 16> buffer;
  buffer.fill('#');
  EXPECT_EQ(format_entity_tag(tag, std::span{buffer.data(), 4}), 0u);
  EXPECT_EQ(std::string_view(buffer.data(), buffer.size()), std::string(16, '#'));
  EXPECT_EQ(format_entity_tag(tag, std::span<char>{}), 0u);
}

// ---------------------------------------------------------------------------------------------
// If-Match / If-None-Match lists.

struct list_case {
  std::string_view name;
  std::string_view input;
  etag_list_kind kind;
  std::vector<std::string_view> tags;  // serialized, in order
};

class EntityTagList : public testing::TestWithParam<list_case> {};

TEST_P(EntityTagList, ParsesTheFieldValue) {
  const list_case& c = GetParam();
  const entity_tag_list list = parse_entity_tag_list(c.input);
  EXPECT_EQ(list.kind(), c.kind);
  EXPECT_EQ(list.is_any(), c.kind == etag_list_kind::any);
  EXPECT_EQ(list.is_malformed(), c.kind == etag_list_kind::malformed);
  std::vector<std::string> tags;
  for (entity_tag tag : list) tags.push_back(to_string(tag));
  EXPECT_THAT(tags, ElementsAreArray(c.tags));
  EXPECT_EQ(list.size(), c.tags.size());
  EXPECT_EQ(list.empty(), c.tags.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Rfc9110, EntityTagList,
    testing::Values(
        list_case{"star", "*", etag_list_kind::any, {}},
        list_case{"star_with_ows", " \t* ", etag_list_kind::any, {}},
        list_case{"one_tag", R"("a")", etag_list_kind::tags, {R"("a")"}},
        list_case{"two_tags", R"("a", W/"b")", etag_list_kind::tags, {R"("a")", R"(W/"b")"}},
        list_case{"no_space", R"("a",W/"b")", etag_list_kind::tags, {R"("a")", R"(W/"b")"}},
        list_case{
            "ows_around_comma", "\"a\" \t,\t \"b\"", etag_list_kind::tags, {R"("a")", R"("b")"}},
        list_case{"ows_around_value", " \"a\" ", etag_list_kind::tags, {R"("a")"}},
        // RFC 9110 §5.6.1.2: empty elements are ignored.
        list_case{"empty_elements", R"(,"a",, ,"b",)", etag_list_kind::tags, {R"("a")", R"("b")"}},
        list_case{
            "comma_inside_tag", R"("a,b", "c")", etag_list_kind::tags, {R"("a,b")", R"("c")"}},
        list_case{"star_inside_tag", R"("*", "a")", etag_list_kind::tags, {R"("*")", R"("a")"}},
        list_case{
            "backslash_ends_tag", R"("a\", "b")", etag_list_kind::tags, {R"("a\")", R"("b")"}},
        // #entity-tag allows zero elements.
        list_case{"empty_value", "", etag_list_kind::tags, {}},
        list_case{"only_commas", " , ,", etag_list_kind::tags, {}},
        // "*" is the whole value or nothing.
        list_case{"star_then_tag", R"(*, "a")", etag_list_kind::malformed, {}},
        list_case{"tag_then_star", R"("a", *)", etag_list_kind::malformed, {}},
        list_case{"two_stars", "*, *", etag_list_kind::malformed, {}},
        list_case{"star_trailing_comma", "*,", etag_list_kind::malformed, {}},
        list_case{"double_star", "**", etag_list_kind::malformed, {}},
        list_case{"star_space_tag", R"(* "a")", etag_list_kind::malformed, {}},
        // Each element is one whole entity-tag.
        list_case{"missing_comma", R"("a" "b")", etag_list_kind::malformed, {}},
        list_case{"adjacent_tags", R"("a""b")", etag_list_kind::malformed, {}},
        list_case{"semicolon_separator", R"("a";"b")", etag_list_kind::malformed, {}},
        list_case{"unquoted", "a", etag_list_kind::malformed, {}},
        list_case{"unquoted_after_tag", R"("a", b)", etag_list_kind::malformed, {}},
        list_case{"garbage_after_tag", R"("a" x)", etag_list_kind::malformed, {}},
        list_case{"unterminated", R"("a", "b)", etag_list_kind::malformed, {}},
        list_case{"lowercase_weak", R"("a", w/"b")", etag_list_kind::malformed, {}},
        list_case{"space_inside_tag", R"("a b")", etag_list_kind::malformed, {}},
        list_case{"crlf_between", "\"a\",\r\n\"b\"", etag_list_kind::malformed, {}}),
    case_name);

struct match_case {
  std::string_view name;
  std::string_view field;
  entity_tag current;
  etag_comparison how;
  etag_list_match expected;
};

class EntityTagListMatch : public testing::TestWithParam<match_case> {};

TEST_P(EntityTagListMatch, TestsMembership) {
  const match_case& c = GetParam();
  EXPECT_EQ(list_matches(c.field, c.current, c.how), c.expected);
  EXPECT_EQ(parse_entity_tag_list(c.field).contains(c.current, c.how),
            c.expected == etag_list_match::matched);
}

constexpr entity_tag strong_x{false, "x"};
constexpr entity_tag weak_x{true, "x"};
constexpr auto strong = etag_comparison::strong;
constexpr auto weak = etag_comparison::weak;
constexpr auto matched = etag_list_match::matched;
constexpr auto not_matched = etag_list_match::not_matched;
constexpr auto malformed = etag_list_match::malformed;

INSTANTIATE_TEST_SUITE_P(
    Rfc9110, EntityTagListMatch,
    testing::Values(
        match_case{"star_matches_strong", "*", strong_x, strong, matched},
        match_case{"star_matches_weak_tag", "*", weak_x, strong, matched},
        match_case{"same_strong_tag_strong", R"("x")", strong_x, strong, matched},
        match_case{"same_strong_tag_weak", R"("x")", strong_x, weak, matched},
        match_case{"weak_current_strong", R"("x")", weak_x, strong, not_matched},
        match_case{"weak_current_weak", R"("x")", weak_x, weak, matched},
        match_case{"weak_listed_strong", R"(W/"x")", strong_x, strong, not_matched},
        match_case{"weak_listed_weak", R"(W/"x")", strong_x, weak, matched},
        match_case{"last_of_several", R"("a", "b", "x")", strong_x, strong, matched},
        match_case{"none_of_several", R"("a", "b", "c")", strong_x, weak, not_matched},
        match_case{"case_differs", R"("X")", strong_x, weak, not_matched},
        match_case{"empty_list", "", strong_x, weak, not_matched},
        match_case{"only_commas", ",,", strong_x, weak, not_matched},
        match_case{"backslash_in_tag", R"("x\")", entity_tag{false, "x\\"}, strong, matched},
        // The whole value is validated before any tag counts.
        match_case{"star_mixed_with_matching_tag", R"(*, "x")", strong_x, weak, malformed},
        match_case{"match_then_garbage", R"("x", garbage)", strong_x, weak, malformed},
        match_case{"unquoted_would_match", "x", strong_x, weak, malformed}),
    case_name);

TEST(EntityTagList, AnyAndMalformedListsHaveNoTags) {
  const entity_tag_list any = parse_entity_tag_list("*");
  EXPECT_EQ(any.begin(), any.end());
  const entity_tag_list bad = parse_entity_tag_list(R"(*, "a")");
  EXPECT_EQ(bad.begin(), bad.end());
  EXPECT_EQ(bad.size(), 0u);
}

TEST(EntityTagList, DefaultIsAnEmptyListThatMatchesNothing) {
  const entity_tag_list list;
  EXPECT_EQ(list.kind(), etag_list_kind::tags);
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.begin(), list.end());
  EXPECT_FALSE(list.contains(strong_x, weak));
}

TEST(EntityTagList, IteratorIsMultiPassAndViewsIntoTheField) {
  const std::string field = R"(W/"a", "b")";
  const entity_tag_list list = parse_entity_tag_list(field);
  auto first = list.begin();
  auto copy = first;
  EXPECT_EQ(*first++, (entity_tag{true, "a"}));
  EXPECT_EQ(*copy, (entity_tag{true, "a"}));
  EXPECT_EQ((*first).opaque.data(), field.data() + 8);
  EXPECT_NE(first, copy);
  EXPECT_EQ(std::distance(list.begin(), list.end()), 2);
  EXPECT_EQ(++first, list.end());
}

}  // namespace
}  // namespace herald::core
