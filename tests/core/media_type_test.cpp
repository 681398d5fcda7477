#include <gtest/gtest.h>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <herald/core/media_type.hpp>

#include "support/test_cases.hpp"

namespace herald::core {
namespace {

using herald::test::case_name;

// ---------------------------------------------------------------------------------------------
// parse_media_type + to_string: valid input and its canonical form.

struct valid_media_type_case {
  const char* name;
  std::string_view input;
  std::string_view canonical;
  std::size_t parameter_count;
};

class valid_media_type : public testing::TestWithParam<valid_media_type_case> {};

TEST_P(valid_media_type, parses_to_canonical_form) {
  const auto& c = GetParam();
  std::optional<media_type> m = parse_media_type(c.input);
  ASSERT_TRUE(m.has_value()) << c.input;
  EXPECT_EQ(m->parameters.size(), c.parameter_count);
  EXPECT_EQ(to_string(*m), c.canonical);
}

TEST_P(valid_media_type, canonical_form_parses_back_to_itself) {
  const auto& c = GetParam();
  std::optional<media_type> m = parse_media_type(c.input);
  ASSERT_TRUE(m.has_value());
  std::string canonical = to_string(*m);
  std::optional<media_type> again = parse_media_type(canonical);
  ASSERT_TRUE(again.has_value()) << canonical;
  EXPECT_TRUE(equivalent(*m, *again));
  EXPECT_EQ(to_string(*again), canonical);
}

INSTANTIATE_TEST_SUITE_P(
    media_type, valid_media_type,
    testing::Values(
        valid_media_type_case{"plain", "text/html", "text/html", 0},
        valid_media_type_case{"upper_case_type_lowered", "TEXT/HTML", "text/html", 0},
        valid_media_type_case{"mixed_case", "Application/Problem+JSON", "application/problem+json",
                              0},
        valid_media_type_case{"one_parameter", "text/html;charset=utf-8", "text/html;charset=utf-8",
                              1},
        // RFC 9110 §8.3.1: these four are equivalent.
        valid_media_type_case{"rfc_example_quoted_mixed_case", "Text/HTML;Charset=\"utf-8\"",
                              "text/html;charset=utf-8", 1},
        valid_media_type_case{"rfc_example_space_and_quotes", "text/html; charset=\"utf-8\"",
                              "text/html;charset=utf-8", 1},
        valid_media_type_case{"rfc_example_upper_charset_value", "text/html;charset=UTF-8",
                              "text/html;charset=utf-8", 1},
        valid_media_type_case{"ows_before_semicolon", "text/plain ;format=flowed",
                              "text/plain;format=flowed", 1},
        valid_media_type_case{"tab_around_semicolon", "text/plain\t;\tformat=flowed",
                              "text/plain;format=flowed", 1},
        valid_media_type_case{"surrounding_ows_trimmed", "  text/plain  ", "text/plain", 0},
        valid_media_type_case{"other_values_keep_case", "text/plain;format=Flowed",
                              "text/plain;format=Flowed", 1},
        valid_media_type_case{"non_token_value_stays_quoted",
                              "multipart/form-data; boundary=\"a b\"",
                              "multipart/form-data;boundary=\"a b\"", 1},
        valid_media_type_case{"empty_quoted_value", "text/plain;x=\"\"", "text/plain;x=\"\"", 1},
        valid_media_type_case{"escaped_quote_kept_escaped", R"(text/plain;x="a\"b")",
                              R"(text/plain;x="a\"b")", 1},
        valid_media_type_case{"needless_escape_dropped", R"(text/plain;x="\a\b")",
                              "text/plain;x=ab", 1},
        valid_media_type_case{"escaped_backslash", R"(text/plain;x="a\\b")",
                              R"(text/plain;x="a\\b")", 1},
        valid_media_type_case{"comma_in_quoted_value", "text/plain;x=\"a,b\"",
                              "text/plain;x=\"a,b\"", 1},
        valid_media_type_case{"obs_text_in_quoted_value", "text/plain;x=\"caf\xc3\xa9\"",
                              "text/plain;x=\"caf\xc3\xa9\"", 1},
        // RFC 9110 §5.6.6: parameters = *( OWS ";" OWS [ parameter ] ).
        valid_media_type_case{"empty_trailing_parameter", "text/plain;", "text/plain", 0},
        valid_media_type_case{"empty_parameter_with_ows", "text/plain ; ", "text/plain", 0},
        valid_media_type_case{"empty_parameters_between", "text/plain;;a=1;;b=2",
                              "text/plain;a=1;b=2", 2},
        valid_media_type_case{"many_parameters_spill", "text/plain;a=1;b=2;c=3;d=4;e=5;f=6",
                              "text/plain;a=1;b=2;c=3;d=4;e=5;f=6", 6},
        valid_media_type_case{"wildcard_is_token_syntax", "*/*", "*/*", 0},
        valid_media_type_case{"token_punctuation", "application/vnd.a-b_c+json",
                              "application/vnd.a-b_c+json", 0}),
    case_name);

// ---------------------------------------------------------------------------------------------
// parse_media_type: malformed input.

struct invalid_media_type_case {
  const char* name;
  std::string_view input;
};

class invalid_media_type : public testing::TestWithParam<invalid_media_type_case> {};

TEST_P(invalid_media_type, is_rejected) {
  EXPECT_FALSE(parse_media_type(GetParam().input).has_value()) << GetParam().input;
}

INSTANTIATE_TEST_SUITE_P(
    media_type, invalid_media_type,
    testing::Values(
        invalid_media_type_case{"empty", ""}, invalid_media_type_case{"only_ows", "  "},
        invalid_media_type_case{"no_slash", "text"}, invalid_media_type_case{"no_subtype", "text/"},
        invalid_media_type_case{"no_type", "/html"}, invalid_media_type_case{"only_slash", "/"},
        invalid_media_type_case{"two_slashes", "text/html/x"},
        invalid_media_type_case{"space_before_slash", "text /html"},
        invalid_media_type_case{"space_after_slash", "text/ html"},
        invalid_media_type_case{"space_inside_subtype", "text/ht ml"},
        invalid_media_type_case{"trailing_garbage", "text/html garbage"},
        invalid_media_type_case{"trailing_comma", "text/html,"},
        invalid_media_type_case{"list_of_two", "text/html, text/plain"},
        invalid_media_type_case{"parameter_without_value", "text/plain;charset"},
        invalid_media_type_case{"parameter_empty_value", "text/plain;charset="},
        invalid_media_type_case{"space_before_equals", "text/plain;charset =utf-8"},
        invalid_media_type_case{"space_after_equals", "text/plain;charset= utf-8"},
        invalid_media_type_case{"value_not_a_token", "text/plain;a=b@c"},
        invalid_media_type_case{"unterminated_quote", "text/plain;a=\"abc"},
        invalid_media_type_case{"text_after_quote", "text/plain;a=\"abc\"d"},
        invalid_media_type_case{"equals_without_name", "text/plain;=x"},
        invalid_media_type_case{"repeated_parameter", "text/plain;a=1;a=2"},
        invalid_media_type_case{"repeated_parameter_other_case", "text/plain;charset=a;CHARSET=a"},
        invalid_media_type_case{"control_in_type", "te\x01xt/html"},
        invalid_media_type_case{"nul_in_value", std::string_view("text/plain;a=\"\0\"", 16)},
        invalid_media_type_case{"newline", "text/html\r\n"},
        invalid_media_type_case{"non_ascii_token", "text/h\xc3\xa9ml"}),
    case_name);

// ---------------------------------------------------------------------------------------------
// equivalent

struct equivalence_case {
  const char* name;
  std::string_view a;
  std::string_view b;
  bool expected;
};

class media_type_equivalence : public testing::TestWithParam<equivalence_case> {};

TEST_P(media_type_equivalence, compares_as_rfc_9110_says) {
  const auto& c = GetParam();
  auto a = parse_media_type(c.a);
  auto b = parse_media_type(c.b);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(equivalent(*a, *b), c.expected);
  EXPECT_EQ(equivalent(*b, *a), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    media_type, media_type_equivalence,
    testing::Values(
        equivalence_case{"identical", "text/html", "text/html", true},
        equivalence_case{"type_case", "TEXT/html", "text/HTML", true},
        equivalence_case{"different_subtype", "text/html", "text/plain", false},
        equivalence_case{"rfc_quoted_charset", "text/html;charset=utf-8",
                         "Text/HTML;Charset=\"utf-8\"", true},
        equivalence_case{"charset_value_case", "text/html;charset=utf-8", "text/html;charset=UTF-8",
                         true},
        equivalence_case{"other_value_case_matters", "text/plain;format=flowed",
                         "text/plain;format=FLOWED", false},
        equivalence_case{"parameter_order", "text/plain;a=1;b=2", "text/plain;b=2;a=1", true},
        equivalence_case{"missing_parameter", "text/plain;a=1", "text/plain", false},
        equivalence_case{"different_parameter", "text/plain;a=1", "text/plain;b=1", false},
        equivalence_case{"escaped_equals_plain", R"(text/plain;a="\x")", "text/plain;a=x", true},
        equivalence_case{"escaped_quote_differs", R"(text/plain;a="\"")", "text/plain;a=x", false},
        equivalence_case{"prefix_value", "text/plain;a=ab", "text/plain;a=a", false}),
    case_name);

TEST(media_type, same_type_ignores_parameters) {
  auto a = parse_media_type("text/HTML;level=1");
  auto b = parse_media_type("TEXT/html;charset=utf-8");
  auto c = parse_media_type("text/plain");
  ASSERT_TRUE(a && b && c);
  EXPECT_TRUE(same_type(*a, *b));
  EXPECT_FALSE(same_type(*a, *c));
}

TEST(media_type, views_point_into_the_input) {
  std::string input = "text/html; charset=\"utf-8\"";
  auto m = parse_media_type(input);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->type.data(), input.data());
  EXPECT_EQ(m->subtype.data(), input.data() + 5);
  ASSERT_EQ(m->parameters.size(), 1u);
  EXPECT_EQ(m->parameters[0].name, "charset");
  EXPECT_EQ(m->parameters[0].value, "utf-8");
  EXPECT_TRUE(m->parameters[0].quoted);
  EXPECT_EQ(m->parameters[0].value.data(), input.data() + 20);
}

TEST(media_type, copies_keep_spilled_parameters) {
  auto m = parse_media_type("a/b;p1=1;p2=2;p3=3;p4=4;p5=5");
  ASSERT_TRUE(m.has_value());
  media_type copy = *m;
  media_type moved = std::move(*m);
  for (const media_type* x : {&copy, &moved}) {
    ASSERT_EQ(x->parameters.size(), 5u);
    EXPECT_EQ(x->parameters[0].name, "p1");
    EXPECT_EQ(x->parameters[4].value, "5");
    ASSERT_NE(x->parameters.find("P5"), nullptr);
    EXPECT_EQ(x->parameters.find("p5")->value, "5");
  }
}

// ---------------------------------------------------------------------------------------------
// parameter and parameter_list

TEST(parameter, escapes_are_kept_in_the_view_and_removed_on_request) {
  auto m = parse_media_type(R"(text/plain;title="say \"hi\"";plain="ok")");
  ASSERT_TRUE(m.has_value());
  const parameter* title = m->parameters.find("title");
  ASSERT_NE(title, nullptr);
  EXPECT_EQ(title->value, R"(say \"hi\")");
  EXPECT_TRUE(title->has_escapes());
  EXPECT_EQ(title->unescaped_value(), R"(say "hi")");
  EXPECT_TRUE(title->value_equals(R"(say "hi")"));
  EXPECT_FALSE(title->value_equals(R"(say \"hi\")"));
  const parameter* plain = m->parameters.find("PLAIN");
  ASSERT_NE(plain, nullptr);
  EXPECT_FALSE(plain->has_escapes());
  EXPECT_EQ(plain->unescaped_value(), "ok");
}

TEST(parameter, value_equals_case_modes) {
  parameter p{"charset", "UTF-8", false};
  EXPECT_TRUE(p.value_equals("utf-8", true));
  EXPECT_FALSE(p.value_equals("utf-8", false));
  EXPECT_TRUE(p.value_equals("UTF-8"));
  EXPECT_FALSE(p.value_equals("UTF-"));
  EXPECT_FALSE(p.value_equals("UTF-88"));
}

TEST(parameter, unquoted_backslash_is_literal) {
  // Only a quoted-string has quoted-pairs; a hand-built unquoted value is taken as it is.
  parameter p{"x", R"(a\b)", false};
  EXPECT_FALSE(p.has_escapes());
  EXPECT_EQ(p.unescaped_value(), R"(a\b)");
}

struct match_case {
  const char* name;
  parameter a;
  parameter b;
  bool expected;
};

class parameter_match : public testing::TestWithParam<match_case> {};

TEST_P(parameter_match, follows_each_parameters_rule) {
  const auto& c = GetParam();
  EXPECT_EQ(parameters_match(c.a, c.b), c.expected);
  EXPECT_EQ(parameters_match(c.b, c.a), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    parameter, parameter_match,
    testing::Values(match_case{"same", {"a", "1", false}, {"a", "1", false}, true},
                    match_case{"name_case", {"A", "1", false}, {"a", "1", false}, true},
                    match_case{"other_name", {"a", "1", false}, {"b", "1", false}, false},
                    match_case{"value_case_sensitive", {"a", "x", false}, {"a", "X", false}, false},
                    match_case{"charset_case_insensitive",
                               {"charset", "utf-8", false},
                               {"Charset", "UTF-8", true},
                               true},
                    match_case{"quoted_equals_token", {"a", "x", true}, {"a", "x", false}, true},
                    match_case{
                        "escape_equals_plain", {"a", R"(\x)", true}, {"a", "x", false}, true}),
    case_name);

TEST(parameter_list, grows_past_inline_capacity_in_order) {
  parameter_list list;
  std::vector<std::string> names;
  for (int i = 0; i < 10; ++i) names.push_back("n" + std::to_string(i));
  for (const std::string& n : names) list.push_back({n, "v", false});
  ASSERT_EQ(list.size(), names.size());
  for (std::size_t i = 0; i < names.size(); ++i) EXPECT_EQ(list[i].name, names[i]);
  EXPECT_EQ(list.end() - list.begin(), 10);
  EXPECT_FALSE(list.has_repeated_name());
  list.push_back({"N3", "w", false});
  EXPECT_TRUE(list.has_repeated_name());
  EXPECT_EQ(list.find("n3")->value, "v");
  list.clear();
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.find("n3"), nullptr);
  list.push_back({"x", "y", false});
  EXPECT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].name, "x");
}

// ---------------------------------------------------------------------------------------------
// parse_parameters

struct parameters_case {
  const char* name;
  std::string_view input;
  parameter_syntax syntax;
  bool ok;
  std::string_view expected;  // "name=value|..." with values unescaped
  std::string_view rest;      // what is left of the input on success
};

std::string describe(const parameter_list& list) {
  std::string out;
  for (const parameter& p : list) {
    if (!out.empty()) out += '|';
    out += p.name;
    out += '=';
    out += p.unescaped_value();
  }
  return out;
}

class parse_parameters_table : public testing::TestWithParam<parameters_case> {};

TEST_P(parse_parameters_table, reads_parameters) {
  const auto& c = GetParam();
  std::string_view in = c.input;
  parameter_list out;
  bool ok = parse_parameters(in, out, c.syntax);
  ASSERT_EQ(ok, c.ok) << c.input;
  if (!ok) return;
  EXPECT_EQ(describe(out), c.expected);
  EXPECT_EQ(in, c.rest);
}

constexpr auto strict = parameter_syntax::strict;
constexpr auto bws = parameter_syntax::bws_around_equals;

INSTANTIATE_TEST_SUITE_P(
    parameters, parse_parameters_table,
    testing::Values(
        parameters_case{"none", "", strict, true, "", ""},
        parameters_case{"none_before_comma", ", next", strict, true, "", ", next"},
        parameters_case{"ows_before_comma_not_consumed", "  , next", strict, true, "", "  , next"},
        parameters_case{"one", ";a=1", strict, true, "a=1", ""},
        parameters_case{"two_with_ows", " ; a=1 ;\tb=\"x y\"", strict, true, "a=1|b=x y", ""},
        parameters_case{"stops_at_comma", ";a=1, text/html", strict, true, "a=1", ", text/html"},
        parameters_case{"stops_before_ows_and_comma", ";a=1 , b", strict, true, "a=1", " , b"},
        parameters_case{"stops_at_garbage", ";a=1 garbage", strict, true, "a=1", " garbage"},
        parameters_case{"empty_ones_skipped", ";;a=1; ;", strict, true, "a=1", ""},
        parameters_case{"empty_before_comma", "; , x", strict, true, "", ", x"},
        parameters_case{"repeated_names_kept", ";a=1;A=2", strict, true, "a=1|A=2", ""},
        parameters_case{"quoted_with_comma_and_semicolon", ";a=\"x,y;z\"", strict, true, "a=x,y;z",
                        ""},
        parameters_case{"quoted_escape", R"(;a="\"q\"")", strict, true, "a=\"q\"", ""},
        parameters_case{"name_without_equals", ";a", strict, false, "", ""},
        parameters_case{"name_then_space", ";a b", strict, false, "", ""},
        parameters_case{"empty_value", ";a=", strict, false, "", ""},
        parameters_case{"value_not_token", ";a=[x]", strict, false, "", ""},
        parameters_case{"value_token_then_garbage", ";a=x[y]", strict, true, "a=x", "[y]"},
        parameters_case{"unterminated_quote", ";a=\"x", strict, false, "", ""},
        parameters_case{"quote_ends_on_backslash", ";a=\"x\\", strict, false, "", ""},
        parameters_case{"strict_rejects_space_before_equals", ";a =1", strict, false, "", ""},
        parameters_case{"strict_rejects_space_after_equals", ";a= 1", strict, false, "", ""},
        parameters_case{"bws_allows_space_around_equals", "; a = 1 ; b\t=\t\"2\"", bws, true,
                        "a=1|b=2", ""},
        parameters_case{"bws_still_needs_equals", "; a  1", bws, false, "", ""},
        parameters_case{"bws_still_needs_value", "; a = ", bws, false, "", ""}),
    case_name);

// ---------------------------------------------------------------------------------------------
// parse_qvalue (RFC 9110 §12.4.2)

struct qvalue_case {
  const char* name;
  std::string_view input;
  std::optional<qvalue> expected;
};

class parse_qvalue_table : public testing::TestWithParam<qvalue_case> {};

TEST_P(parse_qvalue_table, follows_the_grammar) {
  EXPECT_EQ(parse_qvalue(GetParam().input), GetParam().expected) << GetParam().input;
}

INSTANTIATE_TEST_SUITE_P(
    qvalue, parse_qvalue_table,
    testing::Values(
        qvalue_case{"zero", "0", 0}, qvalue_case{"zero_dot", "0.", 0},
        qvalue_case{"zero_point_zero", "0.0", 0}, qvalue_case{"zero_three_zeros", "0.000", 0},
        qvalue_case{"least_preferred", "0.001", 1}, qvalue_case{"one_decimal", "0.5", 500},
        qvalue_case{"two_decimals", "0.25", 250}, qvalue_case{"three_decimals", "0.125", 125},
        qvalue_case{"highest_below_one", "0.999", 999}, qvalue_case{"one", "1", 1000},
        qvalue_case{"one_dot", "1.", 1000}, qvalue_case{"one_point_zero", "1.0", 1000},
        qvalue_case{"one_three_zeros", "1.000", 1000}, qvalue_case{"empty", "", std::nullopt},
        qvalue_case{"above_one", "1.5", std::nullopt},
        qvalue_case{"one_point_001", "1.001", std::nullopt},
        qvalue_case{"four_decimals", "0.1234", std::nullopt},
        qvalue_case{"one_four_zeros", "1.0000", std::nullopt},
        qvalue_case{"two", "2", std::nullopt}, qvalue_case{"leading_dot", ".5", std::nullopt},
        qvalue_case{"leading_zero", "00.5", std::nullopt},
        qvalue_case{"negative", "-0.5", std::nullopt}, qvalue_case{"plus", "+1", std::nullopt},
        qvalue_case{"comma_decimal", "0,5", std::nullopt},
        qvalue_case{"exponent", "1e0", std::nullopt},
        qvalue_case{"trailing_space", "0.5 ", std::nullopt},
        qvalue_case{"letter_decimal", "0.a", std::nullopt}),
    case_name);

}  // namespace
}  // namespace herald::core
