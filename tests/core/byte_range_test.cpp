#include <array>
#include <cstdint>
#include <gtest/gtest.h>
#include <ostream>
#include <string>
#include <vector>

#include <herald/core/byte_range.hpp>

#include "support/test_cases.hpp"

namespace herald::core {
namespace {

// Results are compared as one line of text, so a failing case shows what came back in the
// same notation as the table that expected something else.
std::string describe(range_parse_status status, const std::vector<range_spec>& specs) {
  switch (status) {
    case range_parse_status::unknown_unit:
      return "unknown unit";
    case range_parse_status::malformed:
      return "malformed";
    case range_parse_status::ok:
      break;
  }
  std::string out = "ok";
  char separator = ' ';
  for (const range_spec& spec : specs) {
    out += separator;
    separator = ',';
    if (spec.kind == range_spec_kind::suffix_range) {
      out += "-" + std::to_string(spec.suffix_length);
    } else {
      out += std::to_string(spec.first) + "-";
      if (spec.last) out += std::to_string(*spec.last);
    }
  }
  return out;
}

std::string describe(const range_resolution& r) {
  std::string out{to_string(r.decision)};
  if (r.decision == range_decision::ignore) out += " (" + std::string{to_string(r.reason)} + ")";
  char separator = ' ';
  for (const byte_range& range : r.ranges) {
    out += separator;
    separator = ',';
    out += std::to_string(range.first) + "-" + std::to_string(range.last);
  }
  return out;
}

std::string describe(const std::optional<content_range>& value) {
  if (!value) return "invalid";
  std::string out =
      value->range ? std::to_string(value->range->first) + "-" + std::to_string(value->range->last)
                   : "*";
  out += "/";
  out += value->complete_length ? std::to_string(*value->complete_length) : "*";
  return out;
}

// "a-b,c-d,..." for n one-byte ranges spaced far enough apart that none coalesce.
std::string spaced_ranges(int n) {
  std::string out = "bytes=";
  for (int i = 0; i < n; ++i) {
    if (i > 0) out += ',';
    out += std::to_string(i * 1000) + "-" + std::to_string(i * 1000);
  }
  return out;
}

constexpr std::uint64_t max64 = UINT64_MAX;

using herald::test::case_name;
using herald::test::PrintTo;

// ---------------------------------------------------------------------------------------------
// parse_range

struct parse_case {
  const char* name;
  std::string field;
  std::string expected;
  friend void PrintTo(const parse_case& c, std::ostream* os) { *os << '"' << c.field << '"'; }
};

class ByteRangeParse : public testing::TestWithParam<parse_case> {};

TEST_P(ByteRangeParse, ParsesTheRangeFieldExactly) {
  const parse_case& c = GetParam();
  std::vector<range_spec> specs{range_spec::suffix_range(7)};  // stale content must go
  range_parse_status status = parse_range(c.field, specs);
  EXPECT_EQ(describe(status, specs), c.expected);
  if (status != range_parse_status::ok) {
    EXPECT_TRUE(specs.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, ByteRangeParse,
    testing::Values(
        // RFC 9110 §14.1.2 examples
        parse_case{"rfc_first_500", "bytes=0-499", "ok 0-499"},
        parse_case{"rfc_suffix_500", "bytes=-500", "ok -500"},
        parse_case{"rfc_open_9500", "bytes=9500-", "ok 9500-"},
        parse_case{"rfc_first_and_last_byte", "bytes=0-0,-1", "ok 0-0,-1"},
        parse_case{"rfc_three_with_ows", "bytes= 0-999, 4500-5499, -1000",
                   "ok 0-999,4500-5499,-1000"},
        parse_case{"rfc_adjacent", "bytes=500-600,601-999", "ok 500-600,601-999"},
        parse_case{"rfc_overlapping", "bytes=500-700,601-999", "ok 500-700,601-999"},
        // Syntax that is valid
        parse_case{"suffix_zero_is_syntactically_valid", "bytes=-0", "ok -0"},
        parse_case{"first_equals_last", "bytes=5-5", "ok 5-5"},
        parse_case{"leading_zeros", "bytes=007-0010", "ok 7-10"},
        parse_case{"largest_number", "bytes=18446744073709551615-18446744073709551615",
                   "ok 18446744073709551615-18446744073709551615"},
        parse_case{"client_order_kept", "bytes=900-999,0-9,-5", "ok 900-999,0-9,-5"},
        parse_case{"empty_list_elements", "bytes=,0-1,, ,2-3,", "ok 0-1,2-3"},
        parse_case{"tabs_around_commas", "bytes=0-1\t,\t2-3", "ok 0-1,2-3"},
        parse_case{"surrounding_ows", " \tbytes=0-1 ", "ok 0-1"},
        // RFC 9110 §14.1: range units are case-insensitive
        parse_case{"unit_upper", "BYTES=0-1", "ok 0-1"},
        parse_case{"unit_mixed", "ByTeS=-3", "ok -3"},
        // Other units (RFC 9110 §14.2: MUST ignore)
        parse_case{"unit_items", "items=0-1", "unknown unit"},
        parse_case{"unit_byte_singular", "byte=0-1", "unknown unit"},
        parse_case{"unit_longer", "bytesx=0-1", "unknown unit"},
        parse_case{"unit_other_range_set", "pages=1,3,5", "unknown unit"},
        // Malformed
        parse_case{"empty_value", "", "malformed"}, parse_case{"empty_set", "bytes=", "malformed"},
        parse_case{"only_empty_elements", "bytes=, ,,", "malformed"},
        parse_case{"lone_dash", "bytes=-", "malformed"},
        parse_case{"last_before_first", "bytes=1-0", "malformed"},
        parse_case{"last_before_first_in_list", "bytes=0-1,5-4", "malformed"},
        parse_case{"letters", "bytes=a-b", "malformed"},
        parse_case{"no_equals", "bytes 0-1", "malformed"},
        parse_case{"parameter", "bytes=0-1;x", "malformed"},
        parse_case{"empty_unit", "=0-1", "malformed"},
        parse_case{"space_before_equals", "bytes =0-1", "malformed"},
        parse_case{"space_inside_spec", "bytes=0 -1", "malformed"},
        parse_case{"plus_sign", "bytes=+1-2", "malformed"},
        parse_case{"negative_suffix", "bytes=--1", "malformed"},
        parse_case{"two_dashes", "bytes=1-2-3", "malformed"},
        parse_case{"no_dash", "bytes=5", "malformed"},
        parse_case{"bad_element_among_good", "bytes=0-1,x,2-3", "malformed"},
        parse_case{"carriage_return", "bytes=0-1\r", "malformed"},
        parse_case{"embedded_nul", std::string("bytes=0-1\0", 10), "malformed"},
        parse_case{"first_overflows", "bytes=18446744073709551616-", "malformed"},
        parse_case{"last_overflows", "bytes=0-18446744073709551616", "malformed"},
        parse_case{"suffix_overflows", "bytes=-99999999999999999999", "malformed"},
        parse_case{"huge_number", "bytes=0-" + std::string(400, '9'), "malformed"}),
    case_name);

// ---------------------------------------------------------------------------------------------
// evaluate_range and resolve_ranges

struct resolve_case {
  const char* name;
  std::string field;
  std::uint64_t length;
  std::string expected;
  range_limits limits = {};
  friend void PrintTo(const resolve_case& c, std::ostream* os) {
    *os << '"' << c.field << "\" against " << c.length << " bytes";
  }
};

class ByteRangeResolve : public testing::TestWithParam<resolve_case> {};

TEST_P(ByteRangeResolve, DecidesExactly) {
  const resolve_case& c = GetParam();
  EXPECT_EQ(describe(evaluate_range(c.field, c.length, c.limits)), c.expected);

  // The two-step path gives the same answer whenever the field parses.
  std::vector<range_spec> specs;
  if (parse_range(c.field, specs) == range_parse_status::ok) {
    EXPECT_EQ(describe(resolve_ranges(specs, c.length, c.limits)), c.expected);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, ByteRangeResolve,
    testing::Values(
        // RFC 9110 §14.1.2 examples, representation of 10000 bytes
        resolve_case{"rfc_first_500", "bytes=0-499", 10000, "partial 0-499"},
        resolve_case{"rfc_second_500", "bytes=500-999", 10000, "partial 500-999"},
        resolve_case{"rfc_final_500_suffix", "bytes=-500", 10000, "partial 9500-9999"},
        resolve_case{"rfc_final_500_open", "bytes=9500-", 10000, "partial 9500-9999"},
        resolve_case{"rfc_first_and_last_byte", "bytes=0-0,-1", 10000, "partial 0-0,9999-9999"},
        resolve_case{"rfc_three_ranges", "bytes= 0-999, 4500-5499, -1000", 10000,
                     "partial 0-999,4500-5499,9000-9999"},
        resolve_case{"rfc_adjacent_coalesce", "bytes=500-600,601-999", 10000, "partial 500-999"},
        resolve_case{"rfc_overlapping_coalesce", "bytes=500-700,601-999", 10000, "partial 500-999"},
        // Clamping (RFC 9110 §14.1.2)
        resolve_case{"last_clamped", "bytes=9000-20000", 10000, "partial 9000-9999"},
        resolve_case{"last_equals_length", "bytes=0-10000", 10000, "partial 0-9999"},
        resolve_case{"suffix_longer_than_representation", "bytes=-20000", 10000, "partial 0-9999"},
        resolve_case{"suffix_equal_to_representation", "bytes=-10000", 10000, "partial 0-9999"},
        resolve_case{"whole_open", "bytes=0-", 10000, "partial 0-9999"},
        resolve_case{"last_byte_open", "bytes=9999-", 10000, "partial 9999-9999"},
        resolve_case{"largest_representation", "bytes=0-", max64, "partial 0-18446744073709551614"},
        resolve_case{"largest_suffix", "bytes=-18446744073709551615", max64,
                     "partial 0-18446744073709551614"},
        // Unsatisfiable (416)
        resolve_case{"first_at_length", "bytes=10000-", 10000, "unsatisfiable"},
        resolve_case{"first_past_length", "bytes=10000-10005", 10000, "unsatisfiable"},
        resolve_case{"suffix_zero", "bytes=-0", 10000, "unsatisfiable"},
        resolve_case{"largest_first", "bytes=18446744073709551615-", 10000, "unsatisfiable"},
        resolve_case{"all_unsatisfiable", "bytes=10000-,-0,99999-100000", 10000, "unsatisfiable"},
        resolve_case{"unsatisfiable_specs_dropped", "bytes=20000-,0-1,-0", 10000, "partial 0-1"},
        // Ignored (200)
        resolve_case{"malformed", "bytes=1-0", 10000, "ignore (malformed)"},
        resolve_case{"malformed_no_equals", "bytes 0-1", 10000, "ignore (malformed)"},
        resolve_case{"malformed_after_valid", "bytes=0-1,x", 10000, "ignore (malformed)"},
        resolve_case{"malformed_beats_unsatisfiable", "bytes=20000-,a", 10000,
                     "ignore (malformed)"},
        resolve_case{"unknown_unit", "items=0-1", 10000, "ignore (unknown unit)"},
        resolve_case{"unit_case_insensitive", "BYTES=0-1", 10000, "partial 0-1"},
        // Coalescing (RFC 9110 §15.3.7.2), default gap 80
        resolve_case{"contained", "bytes=0-999,100-199", 10000, "partial 0-999"},
        resolve_case{"gap_of_80_merged", "bytes=0-99,180-199", 10000, "partial 0-199"},
        resolve_case{"gap_of_81_kept", "bytes=0-99,181-199", 10000, "partial 0-99,181-199"},
        resolve_case{"client_order_kept", "bytes=9000-9099,0-99", 10000, "partial 9000-9099,0-99"},
        resolve_case{"merged_part_takes_earliest_position", "bytes=5000-5099,0-99,5050-5199", 10000,
                     "partial 5000-5199,0-99"},
        resolve_case{"later_specs_merge_into_earlier_slot", "bytes=0-99,5000-5099,4990-4999", 10000,
                     "partial 0-99,4990-5099"},
        resolve_case{"merged_part_keeps_first_written_slot", "bytes=5000-5099,0-99,4990-4999",
                     10000, "partial 4990-5099,0-99"},
        resolve_case{"chain_merge", "bytes=300-399,0-99,100-199,200-299", 10000, "partial 0-399"},
        resolve_case{"suffix_and_open_merge", "bytes=9990-,-5", 10000, "partial 9990-9999"},
        resolve_case{"gap_zero_keeps_gaps", "bytes=0-9,11-19", 10000, "partial 0-9,11-19",
                     range_limits{100, 0}},
        resolve_case{"gap_zero_merges_adjacent", "bytes=0-9,10-19", 10000, "partial 0-19",
                     range_limits{100, 0}},
        // Cap on ranges after coalescing (Apache MaxRanges)
        resolve_case{"default_cap_100", spaced_ranges(100), 1000000,
                     "partial " + spaced_ranges(100).substr(6)},
        resolve_case{"default_cap_101", spaced_ranges(101), 1000000, "ignore (too many ranges)"},
        resolve_case{"cap_2_three_ranges", "bytes=0-0,1000-1000,2000-2000", 10000,
                     "ignore (too many ranges)", range_limits{2, 80}},
        resolve_case{"cap_2_counts_after_coalescing", "bytes=0-0,1-1,2000-2000", 10000,
                     "partial 0-1,2000-2000", range_limits{2, 80}},
        resolve_case{"cap_0_ignores_satisfiable", "bytes=0-0", 10000, "ignore (too many ranges)",
                     range_limits{0, 80}},
        resolve_case{"cap_0_still_416", "bytes=10000-", 10000, "unsatisfiable",
                     range_limits{0, 80}},
        // Ranges adding up to more than the representation (Go's guard)
        resolve_case{"twice_the_whole", "bytes=0-,0-", 10000,
                     "ignore (ranges larger than the representation)"},
        resolve_case{"one_byte_too_many", "bytes=0-9999,-1", 10000,
                     "ignore (ranges larger than the representation)"},
        resolve_case{"two_large_suffixes", "bytes=-6000,-6000", 10000,
                     "ignore (ranges larger than the representation)"},
        resolve_case{"exactly_the_whole", "bytes=0-4999,5000-", 10000, "partial 0-9999"},
        resolve_case{"overlap_counted_before_coalescing", "bytes=0-5999,4000-", 10000,
                     "ignore (ranges larger than the representation)"},
        resolve_case{"one_byte_first_and_last", "bytes=0-0,-1", 1,
                     "ignore (ranges larger than the representation)"},
        // Zero-length representation (RFC 9110 §14.1.1)
        resolve_case{"empty_open", "bytes=0-", 0, "unsatisfiable"},
        resolve_case{"empty_first_byte", "bytes=0-0", 0, "unsatisfiable"},
        resolve_case{"empty_suffix_zero", "bytes=-0", 0, "unsatisfiable"},
        resolve_case{"empty_suffix", "bytes=-1", 0, "ignore (empty representation)"},
        resolve_case{"empty_mixed", "bytes=0-0,-5", 0, "ignore (empty representation)"},
        resolve_case{"empty_malformed", "bytes=x", 0, "ignore (malformed)"},
        // One-byte representation
        resolve_case{"one_byte_first", "bytes=0-0", 1, "partial 0-0"},
        resolve_case{"one_byte_suffix", "bytes=-1", 1, "partial 0-0"},
        resolve_case{"one_byte_past", "bytes=1-", 1, "unsatisfiable"}),
    case_name);

TEST(ByteRangeResolve, EmptySpecListIsIgnoredAsMalformed) {
  EXPECT_EQ(describe(resolve_ranges({}, 100)), "ignore (malformed)");
}

TEST(ByteRangeResolve, ReusedResolutionDropsEarlierRanges) {
  range_resolution r;
  evaluate_range("bytes=0-0,500-500", 1000, r);
  ASSERT_EQ(describe(r), "partial 0-0,500-500");
  evaluate_range("bytes=5000-", 1000, r);
  EXPECT_EQ(describe(r), "unsatisfiable");
  evaluate_range("bytes=0-0,500-500", 1000, r);
  evaluate_range("bytes=0-,0-", 1000, r);
  EXPECT_EQ(describe(r), "ignore (ranges larger than the representation)");
  evaluate_range("bytes=1-2", 1000, r);
  EXPECT_EQ(describe(r), "partial 1-2");
  evaluate_range("items=1-2", 1000, r);
  EXPECT_EQ(describe(r), "ignore (unknown unit)");
}

TEST(ByteRangeResolve, NamesAreStable) {
  EXPECT_EQ(to_string(range_decision::ignore), "ignore");
  EXPECT_EQ(to_string(range_decision::unsatisfiable), "unsatisfiable");
  EXPECT_EQ(to_string(range_decision::partial), "partial");
  EXPECT_EQ(to_string(range_ignore_reason::none), "none");
  EXPECT_EQ(to_string(range_ignore_reason::empty_representation), "empty representation");
}

// ---------------------------------------------------------------------------------------------
// Content-Range

struct format_case {
  const char* name;
  content_range value;
  std::string expected;  // empty: not valid, nothing written
};

class ContentRangeFormat : public testing::TestWithParam<format_case> {};

TEST_P(ContentRangeFormat, WritesTheFieldAndParsesBack) {
  const format_case& c = GetParam();
  std::array<char, content_range_max_size> buffer{};
  EXPECT_EQ(format_content_range(c.value, buffer), c.expected);
  EXPECT_EQ(format_content_range(c.value), c.expected);
  EXPECT_EQ(c.value.valid(), !c.expected.empty());
  if (!c.expected.empty()) {
    auto parsed = parse_content_range(c.expected);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, c.value);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, ContentRangeFormat,
    testing::Values(
        format_case{"partial", content_range::partial({0, 499}, 10000), "bytes 0-499/10000"},
        format_case{"partial_last_byte", content_range::partial({9999, 9999}, 10000),
                    "bytes 9999-9999/10000"},
        format_case{"unknown_length", content_range{byte_range{0, 499}, std::nullopt},
                    "bytes 0-499/*"},
        format_case{"unsatisfied", content_range::unsatisfied(10000), "bytes */10000"},
        format_case{"unsatisfied_empty", content_range::unsatisfied(0), "bytes */0"},
        format_case{"longest_field", content_range::partial({max64 - 2, max64 - 1}, max64),
                    "bytes 18446744073709551613-18446744073709551614/18446744073709551615"},
        format_case{"largest_unknown_length", content_range{byte_range{0, max64 - 1}, std::nullopt},
                    "bytes 0-18446744073709551614/*"},
        format_case{"neither_member", content_range{}, ""},
        format_case{"first_after_last", content_range::partial({5, 4}, 10), ""},
        format_case{"last_at_length", content_range::partial({0, 10}, 10), ""},
        format_case{"partial_of_empty", content_range::partial({0, 0}, 0), ""},
        format_case{"last_at_max_unknown_length", content_range{byte_range{0, max64}, std::nullopt},
                    ""}),
    case_name);

TEST(ContentRangeFormat, LongestFieldFillsTheBufferExactly) {
  EXPECT_EQ(format_content_range(content_range::partial({max64 - 2, max64 - 1}, max64)).size(),
            content_range_max_size);
}

struct content_range_parse_case {
  const char* name;
  std::string field;
  std::string expected;  // first-last/length as describe() writes it, or "invalid"
  friend void PrintTo(const content_range_parse_case& c, std::ostream* os) {
    *os << '"' << c.field << '"';
  }
};

class ContentRangeParse : public testing::TestWithParam<content_range_parse_case> {};

TEST_P(ContentRangeParse, ParsesTheFieldExactly) {
  const content_range_parse_case& c = GetParam();
  EXPECT_EQ(describe(parse_content_range(c.field)), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ContentRangeParse,
    testing::Values(
        content_range_parse_case{"partial", "bytes 0-499/10000", "0-499/10000"},
        content_range_parse_case{"unknown_length", "bytes 0-499/*", "0-499/*"},
        content_range_parse_case{"unsatisfied", "bytes */10000", "*/10000"},
        content_range_parse_case{"unsatisfied_empty", "bytes */0", "*/0"},
        content_range_parse_case{"unit_upper", "BYTES 0-0/1", "0-0/1"},
        content_range_parse_case{"surrounding_ows", " bytes 1-2/3\t", "1-2/3"},
        content_range_parse_case{"leading_zeros", "bytes 00-01/02", "0-1/2"},
        content_range_parse_case{"largest_length", "bytes 0-0/18446744073709551615",
                                 "0-0/18446744073709551615"},
        content_range_parse_case{"largest_last_unknown_length", "bytes 0-18446744073709551614/*",
                                 "0-18446744073709551614/*"},
        // RFC 9110 §14.4: invalid values must not be recombined
        content_range_parse_case{"first_after_last", "bytes 5-4/10", "invalid"},
        content_range_parse_case{"last_at_length", "bytes 0-10/10", "invalid"},
        content_range_parse_case{"last_past_length", "bytes 0-99/10", "invalid"},
        content_range_parse_case{"partial_of_empty", "bytes 0-0/0", "invalid"},
        content_range_parse_case{"star_star", "bytes */*", "invalid"},
        content_range_parse_case{"last_at_max_unknown_length", "bytes 0-18446744073709551615/*",
                                 "invalid"},
        content_range_parse_case{"length_overflows", "bytes 0-1/18446744073709551616", "invalid"},
        content_range_parse_case{"first_overflows", "bytes 18446744073709551616-1/*", "invalid"},
        // Syntax
        content_range_parse_case{"other_unit", "items 0-1/2", "invalid"},
        content_range_parse_case{"equals_instead_of_space", "bytes=0-1/2", "invalid"},
        content_range_parse_case{"two_spaces", "bytes  0-1/2", "invalid"},
        content_range_parse_case{"no_length", "bytes 0-1", "invalid"},
        content_range_parse_case{"empty_length", "bytes 0-1/", "invalid"},
        content_range_parse_case{"open_range", "bytes 0-/2", "invalid"},
        content_range_parse_case{"suffix_range", "bytes -1/2", "invalid"},
        content_range_parse_case{"no_dash", "bytes 1/2", "invalid"},
        content_range_parse_case{"unsatisfied_without_length", "bytes */", "invalid"},
        content_range_parse_case{"negative_length", "bytes 0-1/-2", "invalid"},
        content_range_parse_case{"trailing_garbage", "bytes 0-1/2 3", "invalid"},
        content_range_parse_case{"space_in_range", "bytes 0 -1/2", "invalid"},
        content_range_parse_case{"two_ranges", "bytes 0-1,3-4/5", "invalid"},
        content_range_parse_case{"unit_only", "bytes", "invalid"},
        content_range_parse_case{"empty", "", "invalid"}),
    case_name);

}  // namespace
}  // namespace herald::core
