#include <gtest/gtest.h>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <herald/core/negotiation.hpp>

#include "support/test_cases.hpp"

namespace herald::core {
namespace {

using herald::test::case_name;

media_type type_of(std::string_view text) {
  std::optional<media_type> m = parse_media_type(text);
  EXPECT_TRUE(m.has_value()) << text;
  return m.value_or(media_type{});
}

// "text/html;level=1;q=500, */*;q=1000": canonical ranges and their weights.
std::string describe(const std::vector<media_range>& list) {
  std::string out;
  for (const media_range& e : list) {
    if (!out.empty()) out += ", ";
    out += to_string(e.range) + ";q=" + std::to_string(e.q);
  }
  return out;
}

std::string describe(const std::vector<weighted_value>& list) {
  std::string out;
  for (const weighted_value& e : list) {
    if (!out.empty()) out += ", ";
    out += std::string(e.value) + ";q=" + std::to_string(e.q);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// parse_accept

struct accept_case {
  const char* name;
  std::string_view input;
  std::optional<std::string_view> expected;  // describe() of the result; nullopt: malformed
};

class parse_accept_table : public testing::TestWithParam<accept_case> {};

TEST_P(parse_accept_table, parses_or_rejects_the_whole_field) {
  const auto& c = GetParam();
  auto list = parse_accept(c.input);
  ASSERT_EQ(list.has_value(), c.expected.has_value()) << c.input;
  if (list) {
    EXPECT_EQ(describe(*list), *c.expected);
  }
}

INSTANTIATE_TEST_SUITE_P(
    accept, parse_accept_table,
    testing::Values(
        accept_case{"one_type", "text/html", "text/html;q=1000"},
        accept_case{"browser", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                    "text/html;q=1000, application/xhtml+xml;q=1000, application/xml;q=900, "
                    "*/*;q=800"},
        accept_case{"crlf_inside_is_malformed",
                    "text/*;q=0.3, text/plain;q=0.7, text/plain;format=flowed,\r\n"
                    "       text/plain;format=fixed;q=0.4, */*;q=0.5",
                    std::nullopt},
        accept_case{"rfc_example_one_line",
                    "text/*;q=0.3, text/plain;q=0.7, text/plain;format=flowed, "
                    "text/plain;format=fixed;q=0.4, */*;q=0.5",
                    "text/*;q=300, text/plain;q=700, text/plain;format=flowed;q=1000, "
                    "text/plain;format=fixed;q=400, */*;q=500"},
        accept_case{"type_wildcard", "image/*", "image/*;q=1000"},
        accept_case{"all_wildcard", "*/*", "*/*;q=1000"},
        accept_case{"weight_name_upper_case", "text/html;Q=0.5", "text/html;q=500"},
        accept_case{"ows_around_weight", "text/html ; q=0.5 ", "text/html;q=500"},
        accept_case{"q_zero", "text/html;q=0", "text/html;q=0"},
        accept_case{"q_one_point_zero", "text/html;q=1.000", "text/html;q=1000"},
        accept_case{"ext_after_weight_ignored", "text/html;level=1;q=0.5;ext=x;ext=y",
                    "text/html;level=1;q=500"},
        accept_case{"quoted_parameter", "text/plain;x=\"a, b\";q=0.2",
                    "text/plain;x=\"a, b\";q=200"},
        accept_case{"empty_value", "", ""}, accept_case{"only_commas", " , ,, ", ""},
        accept_case{"empty_elements_skipped", ", text/html ,, */*;q=0.1,",
                    "text/html;q=1000, */*;q=100"},
        accept_case{"empty_parameter", "text/html;, text/plain",
                    "text/html;q=1000, text/plain;q=1000"},
        accept_case{"type_case_kept_in_view", "Text/HTML", "text/html;q=1000"},
        // Malformed: the whole field.
        accept_case{"no_slash", "text", std::nullopt},
        accept_case{"no_subtype", "text/", std::nullopt},
        accept_case{"no_type", "/html", std::nullopt},
        accept_case{"wildcard_type_named_subtype", "*/html", std::nullopt},
        accept_case{"bare_star", "*", std::nullopt},
        accept_case{"java_default", "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2",
                    std::nullopt},
        accept_case{"q_above_one", "text/html;q=1.5", std::nullopt},
        accept_case{"q_four_decimals", "text/html;q=0.1234", std::nullopt},
        accept_case{"q_leading_dot", "text/html;q=.5", std::nullopt},
        accept_case{"q_quoted", "text/html;q=\"0.5\"", std::nullopt},
        accept_case{"q_empty", "text/html;q=", std::nullopt},
        accept_case{"bad_element_spoils_good_ones", "text/html, text/plain;q=2, */*", std::nullopt},
        accept_case{"space_in_type", "text /html", std::nullopt},
        accept_case{"missing_comma", "text/html text/plain", std::nullopt},
        accept_case{"repeated_parameter", "text/plain;a=1;a=2", std::nullopt},
        accept_case{"parameter_without_value", "text/plain;format", std::nullopt},
        accept_case{"unterminated_quote", "text/plain;a=\"x, */*", std::nullopt},
        accept_case{"semicolon_instead_of_comma", "text/html;text/plain", std::nullopt}),
    case_name);

TEST(parse_accept, elements_view_into_the_field) {
  std::string field = "text/html;level=1;q=0.5";
  auto list = parse_accept(field);
  ASSERT_TRUE(list.has_value());
  ASSERT_EQ(list->size(), 1u);
  const media_range& e = (*list)[0];
  EXPECT_EQ(e.range.type.data(), field.data());
  ASSERT_EQ(e.range.parameters.size(), 1u);
  EXPECT_EQ(e.range.parameters[0].name.data(), field.data() + 10);
  EXPECT_EQ(e.q, 500);
}

// ---------------------------------------------------------------------------------------------
// parse_accept_encoding, parse_accept_language, parse_accept_charset

enum class field { encoding, language, charset };

struct weighted_case {
  const char* name;
  field which;
  std::string_view input;
  std::optional<std::string_view> expected;
};

class parse_weighted_table : public testing::TestWithParam<weighted_case> {};

TEST_P(parse_weighted_table, parses_or_rejects_the_whole_field) {
  const auto& c = GetParam();
  std::optional<std::vector<weighted_value>> list;
  switch (c.which) {
    case field::encoding:
      list = parse_accept_encoding(c.input);
      break;
    case field::language:
      list = parse_accept_language(c.input);
      break;
    case field::charset:
      list = parse_accept_charset(c.input);
      break;
  }
  ASSERT_EQ(list.has_value(), c.expected.has_value()) << c.input;
  if (list) {
    EXPECT_EQ(describe(*list), *c.expected);
  }
}

constexpr field enc = field::encoding;
constexpr field lang = field::language;
constexpr field cs = field::charset;

INSTANTIATE_TEST_SUITE_P(
    accept_star, parse_weighted_table,
    testing::Values(
        // Accept-Encoding (RFC 9110 §12.5.3), including its examples.
        weighted_case{"encoding_rfc_compress_gzip", enc, "compress, gzip",
                      "compress;q=1000, gzip;q=1000"},
        weighted_case{"encoding_rfc_empty", enc, "", ""},
        weighted_case{"encoding_rfc_star", enc, "*", "*;q=1000"},
        weighted_case{"encoding_rfc_weights", enc, "compress;q=0.5, gzip;q=1.0",
                      "compress;q=500, gzip;q=1000"},
        weighted_case{"encoding_rfc_identity", enc, "gzip;q=1.0, identity; q=0.5, *;q=0",
                      "gzip;q=1000, identity;q=500, *;q=0"},
        weighted_case{"encoding_browser", enc, "gzip, deflate, br, zstd",
                      "gzip;q=1000, deflate;q=1000, br;q=1000, zstd;q=1000"},
        weighted_case{"encoding_x_gzip_kept_as_written", enc, "X-GZIP;q=0.9", "X-GZIP;q=900"},
        weighted_case{"encoding_empty_elements", enc, ",gzip,,br,", "gzip;q=1000, br;q=1000"},
        weighted_case{"encoding_bad_q", enc, "gzip;q=1.5", std::nullopt},
        weighted_case{"encoding_bad_q_four_digits", enc, "gzip;q=0.1234", std::nullopt},
        weighted_case{"encoding_parameter_not_allowed", enc, "gzip;level=9", std::nullopt},
        weighted_case{"encoding_parameter_after_q", enc, "gzip;q=0.5;level=9", std::nullopt},
        weighted_case{"encoding_two_weights", enc, "gzip;q=0.5;q=0.6", std::nullopt},
        weighted_case{"encoding_not_token", enc, "gz@ip", std::nullopt},
        weighted_case{"encoding_missing_comma", enc, "gzip br", std::nullopt},
        weighted_case{"encoding_only_weight", enc, ";q=0.5", std::nullopt},
        // Accept-Language (RFC 9110 §12.5.4, RFC 4647 §2.1).
        weighted_case{"language_rfc_example", lang, "da, en-gb;q=0.8, en;q=0.7",
                      "da;q=1000, en-gb;q=800, en;q=700"},
        weighted_case{"language_star", lang, "*;q=0.1", "*;q=100"},
        weighted_case{"language_digits_after_first", lang, "es-419, zh-Hant-TW",
                      "es-419;q=1000, zh-Hant-TW;q=1000"},
        weighted_case{"language_eight_letters", lang, "abcdefgh-12345678",
                      "abcdefgh-12345678;q=1000"},
        weighted_case{"language_nine_letters", lang, "abcdefghi", std::nullopt},
        weighted_case{"language_digit_first_subtag", lang, "419", std::nullopt},
        weighted_case{"language_empty_subtag", lang, "en--us", std::nullopt},
        weighted_case{"language_trailing_hyphen", lang, "en-", std::nullopt},
        weighted_case{"language_leading_hyphen", lang, "-en", std::nullopt},
        weighted_case{"language_extended_range", lang, "en-*", std::nullopt},
        weighted_case{"language_underscore", lang, "en_US", std::nullopt},
        weighted_case{"language_bad_q", lang, "en;q=2", std::nullopt},
        // Accept-Charset (RFC 9110 §12.5.2).
        weighted_case{"charset_rfc_example", cs, "iso-8859-5, unicode-1-1;q=0.8",
                      "iso-8859-5;q=1000, unicode-1-1;q=800"},
        weighted_case{"charset_star", cs, "utf-8, *;q=0", "utf-8;q=1000, *;q=0"},
        weighted_case{"charset_parameter_not_allowed", cs, "utf-8;x=y", std::nullopt},
        weighted_case{"charset_bad_q", cs, "utf-8;q=0.0001", std::nullopt},
        weighted_case{"charset_quoted", cs, "\"utf-8\"", std::nullopt}),
    case_name);

// ---------------------------------------------------------------------------------------------
// media_type_quality: RFC 9110 §12.5.1's example and its table (with erratum 7138, which
// corrects text/html;level=3 from 0.7 to 0.3).

struct rfc_table_row {
  const char* name;
  std::string_view type;
  qvalue expected;
};

class rfc_9110_accept_example : public testing::TestWithParam<rfc_table_row> {};

TEST_P(rfc_9110_accept_example, gives_the_table_quality) {
  auto accept = parse_accept(
      "text/*;q=0.3, text/plain;q=0.7, text/plain;format=flowed, "
      "text/plain;format=fixed;q=0.4, */*;q=0.5");
  ASSERT_TRUE(accept.has_value());
  EXPECT_EQ(media_type_quality(*accept, type_of(GetParam().type)), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    accept, rfc_9110_accept_example,
    testing::Values(rfc_table_row{"text_plain_format_flowed", "text/plain;format=flowed", 1000},
                    rfc_table_row{"text_plain", "text/plain", 700},
                    rfc_table_row{"text_html", "text/html", 300},
                    rfc_table_row{"image_jpeg", "image/jpeg", 500},
                    rfc_table_row{"text_plain_format_fixed", "text/plain;format=fixed", 400},
                    rfc_table_row{"text_html_level_3", "text/html;level=3", 300}),
    case_name);

struct type_quality_case {
  const char* name;
  std::string_view accept;
  std::string_view type;
  qvalue expected;
};

class media_type_quality_table : public testing::TestWithParam<type_quality_case> {};

TEST_P(media_type_quality_table, most_specific_range_decides) {
  const auto& c = GetParam();
  auto accept = parse_accept(c.accept);
  ASSERT_TRUE(accept.has_value()) << c.accept;
  EXPECT_EQ(media_type_quality(*accept, type_of(c.type)), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    accept, media_type_quality_table,
    testing::Values(
        type_quality_case{"exact", "text/html", "text/html", 1000},
        type_quality_case{"no_match", "text/html", "text/plain", 0},
        type_quality_case{"type_case_insensitive", "TEXT/Html;q=0.4", "text/HTML", 400},
        type_quality_case{"wildcard_subtype", "image/*;q=0.6", "image/png", 600},
        type_quality_case{"wildcard_subtype_other_type", "image/*", "text/plain", 0},
        type_quality_case{"all", "*/*;q=0.1", "application/json", 100},
        type_quality_case{"specific_beats_earlier_wildcard", "*/*, text/html;q=0.2", "text/html",
                          200},
        type_quality_case{"specific_beats_later_wildcard", "text/html;q=0.2, */*", "text/html",
                          200},
        type_quality_case{"type_wildcard_beats_all", "*/*;q=0.9, text/*;q=0.1", "text/css", 100},
        type_quality_case{"explicit_zero_excludes", "text/html;q=0, */*", "text/html", 0},
        type_quality_case{"zero_wildcard_keeps_named", "*/*;q=0, text/html;q=0.5", "text/html",
                          500},
        type_quality_case{"zero_wildcard_excludes_others", "*/*;q=0, text/html;q=0.5", "text/plain",
                          0},
        type_quality_case{"range_parameter_must_be_present", "text/plain;format=flowed",
                          "text/plain", 0},
        type_quality_case{"range_parameter_value_must_match", "text/plain;format=flowed",
                          "text/plain;format=fixed", 0},
        type_quality_case{"variant_extra_parameters_fine", "text/plain;q=0.3",
                          "text/plain;format=fixed;charset=utf-8", 300},
        type_quality_case{"charset_parameter_value_case_insensitive",
                          "text/html;charset=UTF-8;q=0.6, text/html;q=0.2",
                          "text/html;charset=utf-8", 600},
        type_quality_case{"other_parameter_value_case_sensitive",
                          "text/plain;format=Flowed;q=0.6, text/plain;q=0.2",
                          "text/plain;format=flowed", 200},
        type_quality_case{"quoted_range_parameter", "text/plain;format=\"flowed\";q=0.6",
                          "text/plain;format=flowed", 600},
        type_quality_case{"more_parameters_more_specific",
                          "text/plain;a=1;q=0.2, text/plain;a=1;b=2;q=0.8", "text/plain;a=1;b=2",
                          800},
        type_quality_case{"more_parameters_more_specific_reversed",
                          "text/plain;a=1;b=2;q=0.8, text/plain;a=1;q=0.2", "text/plain;a=1;b=2",
                          800},
        type_quality_case{"same_range_twice_highest_wins", "text/html;q=0.1, text/html;q=0.7",
                          "text/html", 700},
        type_quality_case{"wildcard_with_parameter", "*/*;charset=utf-8;q=0.4",
                          "text/html;charset=utf-8", 400},
        type_quality_case{"empty_accept_matches_nothing", "", "text/html", 0}),
    case_name);

// ---------------------------------------------------------------------------------------------
// coding_quality (RFC 9110 §12.5.3)

struct coding_case {
  const char* name;
  std::string_view accept_encoding;
  std::string_view coding;
  qvalue expected;
};

class coding_quality_table : public testing::TestWithParam<coding_case> {};

TEST_P(coding_quality_table, applies_the_identity_and_alias_rules) {
  const auto& c = GetParam();
  auto list = parse_accept_encoding(c.accept_encoding);
  ASSERT_TRUE(list.has_value()) << c.accept_encoding;
  EXPECT_EQ(coding_quality(*list, c.coding), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    accept_encoding, coding_quality_table,
    testing::Values(
        coding_case{"listed", "gzip, br", "br", 1000}, coding_case{"unlisted", "gzip", "br", 0},
        coding_case{"weight", "gzip;q=0.4", "gzip", 400},
        coding_case{"name_case_insensitive", "GZip;q=0.4", "gzIP", 400},
        coding_case{"x_gzip_in_field", "x-gzip;q=0.3", "gzip", 300},
        coding_case{"x_gzip_as_coding", "gzip;q=0.3", "x-gzip", 300},
        coding_case{"x_gzip_upper_case", "X-Gzip;q=0.3", "GZIP", 300},
        coding_case{"x_compress", "x-compress;q=0.2", "compress", 200},
        coding_case{"star", "*;q=0.6", "br", 600},
        coding_case{"exact_beats_star", "*;q=0.6, br;q=0.1", "br", 100},
        coding_case{"exact_zero_beats_star", "*, br;q=0", "br", 0},
        coding_case{"star_zero_excludes_unlisted", "gzip, *;q=0", "br", 0},
        coding_case{"identity_unlisted_acceptable_lowest", "gzip", "identity", 1},
        coding_case{"identity_as_empty_string", "gzip", "", 1},
        coding_case{"identity_listed", "identity;q=0.5, gzip", "identity", 500},
        coding_case{"identity_excluded", "identity;q=0, gzip", "identity", 0},
        coding_case{"identity_excluded_upper_case", "IDENTITY;q=0", "", 0},
        coding_case{"identity_excluded_by_star", "*;q=0", "identity", 0},
        coding_case{"identity_star_zero_but_listed", "*;q=0, identity;q=0.2", "identity", 200},
        coding_case{"identity_takes_star_weight", "*;q=0.7", "identity", 700},
        coding_case{"empty_field_identity_only", "", "identity", 1},
        coding_case{"empty_field_no_gzip", "", "gzip", 0},
        coding_case{"duplicate_entries_highest_wins", "gzip;q=0, gzip;q=0.8", "gzip", 800}),
    case_name);

// ---------------------------------------------------------------------------------------------
// language_quality (RFC 4647 §3.3.1 basic filtering)

struct language_case {
  const char* name;
  std::string_view accept_language;
  std::string_view tag;
  qvalue expected;
};

class language_quality_table : public testing::TestWithParam<language_case> {};

TEST_P(language_quality_table, uses_basic_filtering) {
  const auto& c = GetParam();
  auto list = parse_accept_language(c.accept_language);
  ASSERT_TRUE(list.has_value()) << c.accept_language;
  EXPECT_EQ(language_quality(*list, c.tag), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    accept_language, language_quality_table,
    testing::Values(
        language_case{"exact", "en-US", "en-US", 1000},
        language_case{"case_insensitive", "EN-us;q=0.5", "en-US", 500},
        language_case{"prefix_matches", "en;q=0.5", "en-US", 500},
        language_case{"prefix_matches_deeper", "zh-Hant;q=0.5", "zh-Hant-TW", 500},
        language_case{"prefix_must_end_at_subtag", "en", "eng", 0},
        language_case{"longer_range_does_not_match_shorter_tag", "en-US", "en", 0},
        language_case{"other_language", "fr", "en", 0},
        language_case{"star_matches_any", "*;q=0.2", "de-CH", 200},
        language_case{"named_beats_star", "*;q=0.2, de;q=0.9", "de-CH", 900},
        language_case{"longest_match_wins", "en;q=0.3, en-GB;q=0.8", "en-GB", 800},
        language_case{"longest_match_wins_reversed", "en-GB;q=0.8, en;q=0.3", "en-GB", 800},
        language_case{"shorter_applies_to_sibling", "en;q=0.3, en-GB;q=0.8", "en-US", 300},
        language_case{"exclusion_of_region", "en, en-US;q=0", "en-US", 0},
        language_case{"rfc_example_da", "da, en-gb;q=0.8, en;q=0.7", "da", 1000},
        language_case{"rfc_example_en_gb", "da, en-gb;q=0.8, en;q=0.7", "en-GB", 800},
        language_case{"rfc_example_en_us", "da, en-gb;q=0.8, en;q=0.7", "en-US", 700},
        language_case{"empty_field", "", "en", 0}),
    case_name);

// language_preference: filtering first, then lookup's fallback, then the lowest quality.
class language_preference_table : public testing::TestWithParam<language_case> {};

TEST_P(language_preference_table, falls_back_instead_of_excluding) {
  const language_case& c = GetParam();
  auto list = parse_accept_language(c.accept_language);
  ASSERT_TRUE(list.has_value()) << c.accept_language;
  EXPECT_EQ(language_preference(*list, c.tag), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    accept_language, language_preference_table,
    testing::Values(language_case{"filtering_match", "fr;q=0.9", "fr", 900},
                    language_case{"explicit_exclusion", "en, fr;q=0", "fr", 0},
                    language_case{"star_exclusion", "en, *;q=0", "fr", 0},
                    language_case{"lookup_fallback_halves", "en-GB;q=0.8", "en", 400},
                    language_case{"lookup_fallback_deeper", "zh-Hant-TW", "zh", 500},
                    language_case{"lookup_needs_a_subtag_boundary", "eng-GB", "en", 1},
                    language_case{"lookup_of_an_exclusion_is_not_an_exclusion", "en-GB;q=0", "en",
                                  1},
                    language_case{"unmentioned_is_lowest", "fr", "de", 1},
                    language_case{"empty_field", "", "en", 1}),
    case_name);

// ---------------------------------------------------------------------------------------------
// charset_quality (RFC 9110 §12.5.2)

struct charset_case {
  const char* name;
  std::string_view accept_charset;
  std::string_view charset;
  qvalue expected;
};

class charset_quality_table : public testing::TestWithParam<charset_case> {};

TEST_P(charset_quality_table, matches_names_case_insensitively) {
  const auto& c = GetParam();
  auto list = parse_accept_charset(c.accept_charset);
  ASSERT_TRUE(list.has_value()) << c.accept_charset;
  EXPECT_EQ(charset_quality(*list, c.charset), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    accept_charset, charset_quality_table,
    testing::Values(charset_case{"listed", "utf-8", "utf-8", 1000},
                    charset_case{"case_insensitive", "UTF-8;q=0.5", "utf-8", 500},
                    charset_case{"unlisted", "utf-8", "iso-8859-1", 0},
                    charset_case{"no_latin1_special_case", "utf-8", "ISO-8859-1", 0},
                    charset_case{"star", "*;q=0.3", "koi8-r", 300},
                    charset_case{"exact_beats_star", "*;q=0.3, koi8-r;q=0.9", "koi8-r", 900},
                    charset_case{"star_zero", "utf-8, *;q=0", "koi8-r", 0}),
    case_name);

// ---------------------------------------------------------------------------------------------
// negotiate

struct variant_spec {
  std::string_view type;
  std::string_view coding = {};
  std::string_view language = {};
  std::string_view charset = {};
  qvalue source_quality = qvalue_max;
};

std::vector<variant> make_variants(const std::vector<variant_spec>& specs) {
  std::vector<variant> out;
  for (const variant_spec& s : specs)
    out.push_back(variant{type_of(s.type), s.coding, s.language, s.charset, s.source_quality});
  return out;
}

using nf = accept_field;
using outcome = negotiation_outcome;

struct negotiate_case {
  const char* name;
  preference_fields fields;
  std::vector<variant_spec> variants;
  outcome expected_outcome;
  std::size_t expected_best;  // variants.size() when not_acceptable
  std::size_t expected_tied;
  accept_fields expected_vary;
  accept_fields expected_disregarded = {};
};

class negotiate_table : public testing::TestWithParam<negotiate_case> {};

TEST_P(negotiate_table, picks_the_expected_variant) {
  const auto& c = GetParam();
  std::vector<variant> variants = make_variants(c.variants);
  negotiation_result r = negotiate(c.fields, variants);
  EXPECT_EQ(r.outcome, c.expected_outcome);
  EXPECT_EQ(r.best, c.expected_best);
  EXPECT_EQ(r.tied, c.expected_tied);
  EXPECT_EQ(r.vary, c.expected_vary) << vary_value(r.vary);
  EXPECT_EQ(r.disregarded, c.expected_disregarded) << vary_value(r.disregarded);
  if (r.outcome != outcome::not_acceptable) {
    ASSERT_LT(r.best, variants.size());
    EXPECT_EQ(r.quality.combined(), preferences(c.fields).quality_of(variants[r.best]).combined());
    EXPECT_TRUE(r.quality.acceptable());
  }
}

const preference_fields no_fields{};

INSTANTIATE_TEST_SUITE_P(
    negotiation, negotiate_table,
    testing::Values(
        negotiate_case{"no_variants", no_fields, {}, outcome::not_acceptable, 0, 0, {}},
        negotiate_case{
            "one_variant_no_fields", no_fields, {{"text/html"}}, outcome::chosen, 0, 1, {}},
        negotiate_case{"accept_picks_json",
                       {.accept = "application/json"},
                       {{"text/html"}, {"application/json"}},
                       outcome::chosen,
                       1,
                       1,
                       nf::accept},
        negotiate_case{"accept_weights",
                       {.accept = "text/html;q=0.5, application/json;q=0.9"},
                       {{"text/html"}, {"application/json"}},
                       outcome::chosen,
                       1,
                       1,
                       nf::accept},
        negotiate_case{"accept_406",
                       {.accept = "image/png"},
                       {{"text/html"}, {"application/json"}},
                       outcome::not_acceptable,
                       2,
                       0,
                       nf::accept},
        negotiate_case{"accept_q_zero_406",
                       {.accept = "text/html;q=0"},
                       {{"text/html"}},
                       outcome::not_acceptable,
                       1,
                       0,
                       {}},
        negotiate_case{"accept_wildcard_tie_is_300",
                       {.accept = "*/*"},
                       {{"text/html"}, {"application/json"}},
                       outcome::tie,
                       0,
                       2,
                       nf::accept},
        negotiate_case{"no_fields_types_tie",
                       no_fields,
                       {{"text/html"}, {"application/json"}, {"text/plain"}},
                       outcome::tie,
                       0,
                       3,
                       nf::accept},
        negotiate_case{"source_quality_breaks_tie",
                       {.accept = "*/*"},
                       {{"text/html", {}, {}, {}, 900}, {"application/json"}},
                       outcome::chosen,
                       1,
                       1,
                       nf::accept},
        negotiate_case{"source_quality_multiplies",
                       // html: 1000 * 500 = 500000; json: 600 * 1000 = 600000.
                       {.accept = "text/html, application/json;q=0.6"},
                       {{"text/html", {}, {}, {}, 500}, {"application/json"}},
                       outcome::chosen,
                       1,
                       1,
                       nf::accept},
        negotiate_case{"source_quality_zero_never_chosen",
                       no_fields,
                       {{"text/html", {}, {}, {}, 0}},
                       outcome::not_acceptable,
                       1,
                       0,
                       {}},
        negotiate_case{"rfc_example_prefers_flowed",
                       {.accept = "text/*;q=0.3, text/plain;q=0.7, text/plain;format=flowed, "
                                  "text/plain;format=fixed;q=0.4, */*;q=0.5"},
                       {{"text/plain;format=fixed"},
                        {"text/html"},
                        {"image/jpeg"},
                        {"text/plain;format=flowed"}},
                       outcome::chosen,
                       3,
                       1,
                       nf::accept},
        // Accept-Encoding
        negotiate_case{"no_accept_encoding_prefers_identity",
                       no_fields,
                       {{"text/html", "gzip"}, {"text/html"}},
                       outcome::chosen,
                       1,
                       1,
                       nf::accept_encoding},
        negotiate_case{"no_accept_encoding_gzip_only_still_acceptable",
                       no_fields,
                       {{"text/html", "gzip"}},
                       outcome::chosen,
                       0,
                       1,
                       {}},
        negotiate_case{"gzip_requested",
                       {.accept_encoding = "gzip, deflate, br"},
                       {{"text/html"}, {"text/html", "gzip"}},
                       outcome::chosen,
                       1,
                       1,
                       nf::accept_encoding},
        negotiate_case{"x_gzip_requested",
                       {.accept_encoding = "x-gzip"},
                       {{"text/html"}, {"text/html", "gzip"}},
                       outcome::chosen,
                       1,
                       1,
                       nf::accept_encoding},
        negotiate_case{"coding_only_tie_is_not_300",
                       {.accept_encoding = "gzip, br"},
                       {{"text/html", "br"}, {"text/html", "gzip"}, {"text/html"}},
                       outcome::chosen,
                       0,
                       2,
                       nf::accept_encoding},
        negotiate_case{"identity_listed_ties_gzip_by_order",
                       {.accept_encoding = "gzip, identity"},
                       {{"text/html"}, {"text/html", "gzip"}},
                       outcome::chosen,
                       0,
                       2,
                       nf::accept_encoding},
        negotiate_case{"empty_accept_encoding_identity_only",
                       {.accept_encoding = ""},
                       {{"text/html", "gzip"}, {"text/html"}},
                       outcome::chosen,
                       1,
                       1,
                       nf::accept_encoding},
        negotiate_case{"empty_accept_encoding_gzip_only_406",
                       {.accept_encoding = ""},
                       {{"text/html", "gzip"}},
                       outcome::not_acceptable,
                       1,
                       0,
                       {}},
        negotiate_case{"identity_excluded_406",
                       {.accept_encoding = "identity;q=0"},
                       {{"text/html"}},
                       outcome::not_acceptable,
                       1,
                       0,
                       {}},
        negotiate_case{"star_zero_excludes_identity_406",
                       {.accept_encoding = "br, *;q=0"},
                       {{"text/html"}, {"text/html", "gzip"}},
                       outcome::not_acceptable,
                       2,
                       0,
                       nf::accept_encoding},
        negotiate_case{"star_zero_with_identity_entry",
                       {.accept_encoding = "*;q=0, identity"},
                       {{"text/html", "gzip"}, {"text/html"}},
                       outcome::chosen,
                       1,
                       1,
                       nf::accept_encoding},
        // Accept-Language
        negotiate_case{"language_prefix",
                       {.accept_language = "de, en;q=0.5"},
                       {{"text/html", {}, "fr"}, {"text/html", {}, "en-GB"}},
                       outcome::chosen,
                       1,
                       1,
                       nf::accept_language},
        negotiate_case{"language_406",
                       {.accept_language = "de, *;q=0"},
                       {{"text/html", {}, "fr"}, {"text/html", {}, "en"}},
                       outcome::not_acceptable,
                       2,
                       0,
                       nf::accept_language},
        negotiate_case{"unmentioned_languages_fall_back_rather_than_406",
                       {.accept_language = "de"},
                       {{"text/html", {}, "fr"}, {"text/html", {}, "en"}},
                       outcome::tie,
                       0,
                       2,
                       nf::accept_language},
        negotiate_case{"language_less_variant_is_last_resort",
                       {.accept_language = "de, *;q=0"},
                       {{"text/html", {}, "fr"}, {"image/png"}},
                       outcome::chosen,
                       1,
                       1,
                       nf::accept | nf::accept_language},
        negotiate_case{"language_tagged_beats_language_less",
                       {.accept_language = "fr;q=0.1"},
                       {{"image/png"}, {"image/png", {}, "fr"}},
                       outcome::chosen,
                       1,
                       1,
                       nf::accept_language},
        negotiate_case{"no_accept_language_tie_is_300",
                       no_fields,
                       {{"text/html", {}, "en"}, {"text/html", {}, "fr"}},
                       outcome::tie,
                       0,
                       2,
                       nf::accept_language},
        negotiate_case{"empty_accept_language_is_absent",
                       {.accept_language = ""},
                       {{"text/html", {}, "en"}},
                       outcome::chosen,
                       0,
                       1,
                       {}},
        // Accept-Charset
        negotiate_case{"charset_from_type_parameter",
                       {.accept_charset = "utf-8"},
                       {{"text/html;charset=iso-8859-1"}, {"text/html;charset=UTF-8"}},
                       outcome::chosen,
                       1,
                       1,
                       nf::accept | nf::accept_charset},
        negotiate_case{"charset_field_overrides_parameter",
                       {.accept_charset = "utf-8"},
                       {{"text/html", {}, {}, "koi8-r"}, {"text/html", {}, {}, "utf-8"}},
                       outcome::chosen,
                       1,
                       1,
                       nf::accept_charset},
        negotiate_case{"charset_406",
                       {.accept_charset = "utf-8"},
                       {{"text/html;charset=koi8-r"}},
                       outcome::not_acceptable,
                       1,
                       0,
                       {}},
        negotiate_case{"charset_not_applicable_to_images",
                       {.accept_charset = "utf-8"},
                       {{"image/png"}},
                       outcome::chosen,
                       0,
                       1,
                       {}},
        // Several dimensions multiply.
        negotiate_case{
            "dimensions_multiply",
            // html-de: 1000 * 500 = 500000; json-en: 800 * 1000 = 800000.
            {.accept = "text/html, application/json;q=0.8", .accept_language = "en, de;q=0.5"},
            {{"text/html", {}, "de"}, {"application/json", {}, "en"}},
            outcome::chosen,
            1,
            1,
            nf::accept | nf::accept_language},
        negotiate_case{"one_zero_dimension_excludes",
                       {.accept = "text/html", .accept_language = "de;q=0, en"},
                       {{"text/html", {}, "de"}, {"application/json", {}, "en"}},
                       outcome::not_acceptable,
                       2,
                       0,
                       nf::accept | nf::accept_language},
        negotiate_case{"all_four_fields",
                       {.accept = "text/html",
                        .accept_encoding = "br;q=0.9, gzip;q=0.8",
                        .accept_language = "fr",
                        .accept_charset = "utf-8"},
                       {{"text/html;charset=utf-8", {}, "fr"},
                        {"text/html;charset=utf-8", "gzip", "fr"},
                        {"text/html;charset=utf-8", "br", "fr"},
                        {"text/html;charset=utf-8", "br", "en"},
                        {"text/html;charset=latin1", "br", "fr"}},
                       outcome::chosen,
                       2,
                       1,
                       nf::accept | nf::accept_encoding | nf::accept_language | nf::accept_charset},
        negotiate_case{
            "visible_tie_after_coding_tie",
            {.accept_encoding = "gzip, identity"},
            {{"text/html", {}, "en"}, {"text/html", "gzip", "en"}, {"text/html", "gzip", "fr"}},
            outcome::tie,
            0,
            3,
            nf::accept_encoding | nf::accept_language},
        // Malformed fields are disregarded.
        negotiate_case{"malformed_accept_disregarded",
                       {.accept = "text/html;q=1.5"},
                       {{"application/json"}},
                       outcome::chosen,
                       0,
                       1,
                       {},
                       nf::accept},
        negotiate_case{"java_accept_disregarded",
                       {.accept = "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2"},
                       {{"application/json"}, {"text/html", {}, {}, {}, 500}},
                       outcome::chosen,
                       0,
                       1,
                       nf::accept,
                       nf::accept},
        negotiate_case{"malformed_accept_encoding_means_identity",
                       {.accept_encoding = "gzip;q=0.1234"},
                       {{"text/html", "gzip"}, {"text/html"}},
                       outcome::chosen,
                       1,
                       1,
                       nf::accept_encoding,
                       nf::accept_encoding},
        negotiate_case{"malformed_language_and_charset",
                       {.accept_language = "english!", .accept_charset = "utf-8;q=2"},
                       {{"text/html;charset=koi8-r", {}, "fr"}},
                       outcome::chosen,
                       0,
                       1,
                       {},
                       nf::accept_language | nf::accept_charset}),
    case_name);

TEST(negotiate, parsed_preferences_can_be_reused_and_give_per_dimension_qualities) {
  preference_fields fields{.accept = "text/html;q=0.8",
                           .accept_encoding = "gzip;q=0.5",
                           .accept_language = "en;q=0.7",
                           .accept_charset = "utf-8;q=0.9"};
  preferences prefs(fields);
  EXPECT_TRUE(prefs.disregarded().empty());
  variant v{type_of("text/html;charset=utf-8"), "gzip", "en-US", {}, 600};
  variant_quality q = prefs.quality_of(v);
  EXPECT_EQ(q.type, 800);
  EXPECT_EQ(q.coding, 500);
  EXPECT_EQ(q.language, 700);
  EXPECT_EQ(q.charset, 900);
  EXPECT_EQ(q.source, 600);
  EXPECT_EQ(q.combined(), 800ull * 500 * 700 * 900 * 600);
  std::vector<variant> variants{v};
  EXPECT_EQ(negotiate(prefs, variants).outcome, outcome::chosen);
}

TEST(negotiate, absent_fields_give_the_documented_defaults) {
  preferences prefs;
  variant_quality plain = prefs.quality_of(variant{type_of("text/html"), {}, "en", "utf-8", 1000});
  EXPECT_EQ(plain.type, 1000);
  EXPECT_EQ(plain.coding, 1000);
  EXPECT_EQ(plain.language, 1000);
  EXPECT_EQ(plain.charset, 1000);
  EXPECT_EQ(prefs.quality_of(variant{type_of("text/html"), "br", {}, {}, 1000}).coding, 999);
  EXPECT_EQ(prefs.quality_of(variant{type_of("text/html"), "identity", {}, {}, 1000}).coding, 1000);
  EXPECT_EQ(prefs.quality_of(variant{type_of("text/html"), {}, {}, {}, 4000}).source, 1000);
}

TEST(negotiate, maximum_combined_quality_is_exact) {
  variant_quality q{1000, 1000, 1000, 1000, 1000};
  EXPECT_EQ(q.combined(), 1'000'000'000'000'000ull);
}

TEST(vary, names_fields_in_fixed_order) {
  EXPECT_EQ(vary_value({}), "");
  EXPECT_EQ(vary_value(nf::accept_encoding), "Accept-Encoding");
  EXPECT_EQ(vary_value(nf::accept_charset | nf::accept), "Accept, Accept-Charset");
  EXPECT_EQ(vary_value(nf::accept | nf::accept_encoding | nf::accept_language | nf::accept_charset),
            "Accept, Accept-Encoding, Accept-Language, Accept-Charset");
  EXPECT_EQ(to_string(nf::accept_language), "Accept-Language");
}

// ---------------------------------------------------------------------------------------------
// best_coding

struct best_coding_case {
  const char* name;
  std::optional<std::string_view> accept_encoding;
  std::vector<std::string_view> available;
  std::optional<std::string_view> expected;
};

class best_coding_table : public testing::TestWithParam<best_coding_case> {};

TEST_P(best_coding_table, chooses_the_coding) {
  const auto& c = GetParam();
  EXPECT_EQ(best_coding(c.accept_encoding, c.available), c.expected);
}

using sv_list = std::vector<std::string_view>;

INSTANTIATE_TEST_SUITE_P(
    accept_encoding, best_coding_table,
    testing::Values(
        best_coding_case{"absent_field_identity", std::nullopt, sv_list{"br", "gzip"}, "identity"},
        best_coding_case{"browser_server_order", "gzip, deflate, br, zstd", sv_list{"br", "gzip"},
                         "br"},
        best_coding_case{"client_weights_beat_server_order", "gzip, br;q=0.5",
                         sv_list{"br", "gzip"}, "gzip"},
        best_coding_case{"x_gzip", "x-gzip", sv_list{"br", "gzip"}, "gzip"},
        best_coding_case{"upper_case", "GZIP", sv_list{"gzip"}, "gzip"},
        best_coding_case{"nothing_shared_identity", "zstd", sv_list{"br", "gzip"}, "identity"},
        best_coding_case{"empty_field_identity", "", sv_list{"gzip"}, "identity"},
        best_coding_case{"identity_excluded_gzip", "gzip, identity;q=0", sv_list{"gzip"}, "gzip"},
        best_coding_case{"identity_excluded_nothing_else_406", "br, identity;q=0", sv_list{"gzip"},
                         std::nullopt},
        best_coding_case{"star_zero_406", "*;q=0", sv_list{"gzip"}, std::nullopt},
        best_coding_case{"star_picks_server_first", "*", sv_list{"br", "gzip"}, "br"},
        best_coding_case{"star_ties_with_listed_identity", "*", sv_list{"identity", "gzip"},
                         "identity"},
        best_coding_case{"identity_preferred_by_client", "gzip;q=0.5, identity", sv_list{"gzip"},
                         "identity"},
        best_coding_case{"coding_q_zero_skipped", "gzip;q=0, br;q=0.1", sv_list{"gzip", "br"},
                         "br"},
        best_coding_case{"nothing_available", "gzip", sv_list{}, "identity"},
        best_coding_case{"nothing_available_identity_excluded", "gzip, identity;q=0", sv_list{},
                         std::nullopt},
        best_coding_case{"malformed_field_identity", "gzip;q=2", sv_list{"gzip"}, "identity"},
        best_coding_case{"listed_identity_keeps_server_spelling", "identity;q=0.5, *;q=0",
                         sv_list{"gzip", ""}, ""}),
    case_name);

TEST(best_coding, returns_a_view_of_the_servers_list) {
  std::string gzip = "gzip";
  std::vector<std::string_view> available{gzip};
  auto chosen = best_coding("x-gzip", available);
  ASSERT_TRUE(chosen.has_value());
  EXPECT_EQ(chosen->data(), gzip.data());
}

}  // namespace
}  // namespace herald::core
