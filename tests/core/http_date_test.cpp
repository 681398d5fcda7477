#include <array>
#include <chrono>
#include <cstdint>
#include <gtest/gtest.h>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <herald/core/http_date.hpp>

#include "support/test_cases.hpp"

namespace herald::core {
namespace {

using std::chrono::sys_seconds;
using namespace std::string_view_literals;

constexpr sys_seconds at(std::int64_t unix_seconds) {
  return sys_seconds{std::chrono::seconds{unix_seconds}};
}

// The instant of the RFC 9110 §5.6.7 examples, 1994-11-06T08:49:37Z.
constexpr std::int64_t rfc_example = 784111777;
// A fixed "now" for the rfc850 two-digit year rule: 2024-06-15T12:00:00Z.
constexpr sys_seconds fixed_now = at(1718452800);

static_assert(http_date_min.time_since_epoch().count() == -62167219200);
static_assert(http_date_max.time_since_epoch().count() == 253402300799);

using herald::test::case_name;

// ---------------------------------------------------------------------------------------------
// Valid input: each case states the instant (Unix seconds) it must give.

struct valid_case {
  std::string_view name;
  std::string_view input;
  std::int64_t expected;
};

class HttpDateValid : public testing::TestWithParam<valid_case> {};

TEST_P(HttpDateValid, ParsesToTheStatedInstant) {
  const valid_case& c = GetParam();
  EXPECT_EQ(parse_http_date(c.input, fixed_now), std::optional{at(c.expected)}) << c.input;
}

INSTANTIATE_TEST_SUITE_P(
    Rfc9110, HttpDateValid,
    testing::Values(
        valid_case{"imf_fixdate_rfc_example", "Sun, 06 Nov 1994 08:49:37 GMT", rfc_example},
        valid_case{"rfc850_rfc_example", "Sunday, 06-Nov-94 08:49:37 GMT", rfc_example},
        valid_case{"asctime_rfc_example", "Sun Nov  6 08:49:37 1994", rfc_example},
        // date3 = month SP ( 2DIGIT / ( SP DIGIT ) ): a zero-padded day is also valid.
        valid_case{"asctime_zero_padded_day", "Sun Nov 06 08:49:37 1994", rfc_example},
        valid_case{"asctime_two_digit_day", "Thu Feb 29 00:00:00 2024", 1709164800},
        valid_case{"imf_fixdate_epoch", "Thu, 01 Jan 1970 00:00:00 GMT", 0},
        valid_case{"imf_fixdate_before_epoch", "Wed, 31 Dec 1969 23:59:59 GMT", -1},
        valid_case{"imf_fixdate_leap_day_2000", "Tue, 29 Feb 2000 00:00:00 GMT", 951782400},
        valid_case{"imf_fixdate_leap_day_2024", "Thu, 29 Feb 2024 12:34:56 GMT", 1709210096},
        valid_case{"imf_fixdate_2038_rollover", "Tue, 19 Jan 2038 03:14:08 GMT", 2147483648},
        valid_case{"imf_fixdate_year_9999", "Fri, 31 Dec 9999 23:59:59 GMT", 253402300799},
        valid_case{"imf_fixdate_year_0000", "Sat, 01 Jan 0000 00:00:00 GMT", -62167219200},
        valid_case{"imf_fixdate_year_0001", "Mon, 01 Jan 0001 00:00:00 GMT", -62135596800},
        // The longest day-name-l.
        valid_case{"rfc850_wednesday", "Wednesday, 01-Jan-75 00:00:00 GMT", 157766400},
        valid_case{"rfc850_saturday", "Saturday, 15-Jun-24 00:00:00 GMT", 1718409600},
        // time-of-day allows 23:59:60 (leap second); it becomes 23:59:59.
        valid_case{"imf_fixdate_leap_second", "Sat, 31 Dec 2016 23:59:60 GMT", 1483228799},
        valid_case{"rfc850_leap_second", "Saturday, 31-Dec-16 23:59:60 GMT", 1483228799},
        valid_case{"asctime_leap_second", "Sat Dec 31 23:59:60 2016", 1483228799}),
    case_name);

// ---------------------------------------------------------------------------------------------
// Invalid input: every case must be rejected.

struct invalid_case {
  std::string_view name;
  std::string_view input;
};

class HttpDateInvalid : public testing::TestWithParam<invalid_case> {};

TEST_P(HttpDateInvalid, IsRejected) {
  const invalid_case& c = GetParam();
  EXPECT_EQ(parse_http_date(c.input, fixed_now), std::nullopt) << c.input;
}

INSTANTIATE_TEST_SUITE_P(
    Grammar, HttpDateInvalid,
    testing::Values(
        invalid_case{"empty", ""}, invalid_case{"day_name_only", "Sun"},
        invalid_case{"day_name_and_comma", "Sun,"},
        invalid_case{"truncated_imf_fixdate", "Sun, 06 Nov 1994 08:49:37 GM"},
        invalid_case{"truncated_rfc850", "Sunday, 06-Nov-94 08:49:37"},
        invalid_case{"truncated_asctime", "Sun Nov  6 08:49:37 199"},
        // HTTP-date is case sensitive (RFC 9110 §5.6.7).
        invalid_case{"lowercase_day_name", "sun, 06 Nov 1994 08:49:37 GMT"},
        invalid_case{"uppercase_day_name", "SUN, 06 Nov 1994 08:49:37 GMT"},
        invalid_case{"lowercase_month", "Sun, 06 nov 1994 08:49:37 GMT"},
        invalid_case{"lowercase_gmt", "Sun, 06 Nov 1994 08:49:37 gmt"},
        invalid_case{"uppercase_long_day_name", "SUNDAY, 06-Nov-94 08:49:37 GMT"},
        invalid_case{"uppercase_rfc850_month", "Sunday, 06-NOV-94 08:49:37 GMT"},
        invalid_case{"lowercase_asctime_month", "Sun nov  6 08:49:37 1994"},
        // Zones other than GMT, and a missing zone.
        invalid_case{"utc_zone", "Sun, 06 Nov 1994 08:49:37 UTC"},
        invalid_case{"numeric_zone", "Sun, 06 Nov 1994 08:49:37 +0000"},
        invalid_case{"rfc850_without_gmt", "Sunday, 06-Nov-94 08:49:37"},
        invalid_case{"rfc850_utc_zone", "Sunday, 06-Nov-94 08:49:37 UTC"},
        invalid_case{"asctime_with_gmt", "Sun Nov  6 08:49:37 1994 GMT"},
        // Exactly one SP where the grammar has SP.
        invalid_case{"two_spaces_after_comma", "Sun,  06 Nov 1994 08:49:37 GMT"},
        invalid_case{"no_space_after_comma", "Sun,06 Nov 1994 08:49:37 GMT"},
        invalid_case{"two_spaces_before_time", "Sun, 06 Nov 1994  08:49:37 GMT"},
        invalid_case{"tab_for_space", "Sun,\t06 Nov 1994 08:49:37 GMT"},
        invalid_case{"rfc850_no_space_after_comma", "Sunday,06-Nov-94 08:49:37 GMT"},
        invalid_case{"rfc850_space_before_comma", "Sunday , 06-Nov-94 08:49:37 GMT"},
        invalid_case{"asctime_two_spaces_before_year", "Sun Nov  6 08:49:37  1994"},
        // Field widths.
        invalid_case{"one_digit_day", "Sun, 6 Nov 1994 08:49:37 GMT"},
        invalid_case{"three_digit_day", "Sun, 006 Nov 1994 08:49:37 GMT"},
        invalid_case{"one_digit_hour", "Sun, 06 Nov 1994 8:49:37 GMT"},
        invalid_case{"two_digit_year_in_imf_fixdate", "Sun, 06 Nov 94 08:49:37 GMT"},
        invalid_case{"five_digit_year", "Sun, 06 Nov 01994 08:49:37 GMT"},
        invalid_case{"four_digit_year_in_rfc850", "Sunday, 06-Nov-1994 08:49:37 GMT"},
        invalid_case{"asctime_unpadded_day", "Sun Nov 6 08:49:37 1994"},
        invalid_case{"asctime_day_then_space", "Sun Nov 6  08:49:37 1994"},
        invalid_case{"asctime_blank_day", "Sun Nov    08:49:37 1994"},
        invalid_case{"non_digit_in_year", "Sun, 06 Nov 19x4 08:49:37 GMT"},
        invalid_case{"sign_in_day", "Sun, +6 Nov 1994 08:49:37 GMT"},
        invalid_case{"wrong_time_separator", "Sun, 06 Nov 1994 08.49.37 GMT"},
        invalid_case{"fractional_seconds", "Sun, 06 Nov 1994 08:49:37.5 GMT"},
        // Names from the wrong form.
        invalid_case{"long_day_name_in_imf_fixdate", "Sunday, 06 Nov 1994 08:49:37 GMT"},
        invalid_case{"short_day_name_in_rfc850", "Sun, 06-Nov-94 08:49:37 GMT"},
        invalid_case{"full_month_name", "Sun, 06 November 1994 08:49:37 GMT"},
        invalid_case{"unknown_day_name", "Sud, 06 Nov 1994 08:49:37 GMT"},
        invalid_case{"unknown_month", "Sun, 06 Nvo 1994 08:49:37 GMT"},
        // Surrounding whitespace and garbage: the field parser strips OWS, so none is left.
        invalid_case{"leading_space", " Sun, 06 Nov 1994 08:49:37 GMT"},
        invalid_case{"trailing_space", "Sun, 06 Nov 1994 08:49:37 GMT "},
        invalid_case{"trailing_crlf", "Sun, 06 Nov 1994 08:49:37 GMT\r\n"},
        invalid_case{"trailing_garbage", "Sun, 06 Nov 1994 08:49:37 GMTx"},
        invalid_case{"rfc850_trailing_garbage", "Sunday, 06-Nov-94 08:49:37 GMT;"},
        invalid_case{"asctime_trailing_garbage", "Sun Nov  6 08:49:37 19940"},
        invalid_case{"embedded_nul", "Sun, 06 Nov 1994 08:49:37 G\0T"sv},
        invalid_case{"two_dates", "Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT"},
        // Dates that do not exist.
        invalid_case{"february_30", "Thu, 30 Feb 2023 00:00:00 GMT"},
        invalid_case{"february_29_common_year", "Wed, 29 Feb 2023 00:00:00 GMT"},
        invalid_case{"february_29_1900", "Thu, 29 Feb 1900 00:00:00 GMT"},
        invalid_case{"february_29_2100", "Mon, 29 Feb 2100 00:00:00 GMT"},
        invalid_case{"april_31", "Wed, 31 Apr 2024 00:00:00 GMT"},
        invalid_case{"day_00", "Sat, 00 Nov 1994 08:49:37 GMT"},
        invalid_case{"day_32", "Sat, 32 Oct 1994 08:49:37 GMT"},
        invalid_case{"asctime_day_0", "Sat Nov  0 08:49:37 1994"},
        invalid_case{"rfc850_february_29_common_year", "Wednesday, 29-Feb-23 00:00:00 GMT"},
        // Times that do not exist.
        invalid_case{"hour_24", "Sun, 06 Nov 1994 24:00:00 GMT"},
        invalid_case{"minute_60", "Sun, 06 Nov 1994 08:60:00 GMT"},
        invalid_case{"second_60_not_at_end_of_day", "Sun, 06 Nov 1994 08:49:60 GMT"},
        invalid_case{"second_60_at_23_58", "Sat, 31 Dec 2016 23:58:60 GMT"},
        invalid_case{"second_61", "Sat, 31 Dec 2016 23:59:61 GMT"},
        invalid_case{"second_99", "Sun, 06 Nov 1994 08:49:99 GMT"},
        // A day name that contradicts the date (RFC 5322 §3.3).
        invalid_case{"imf_fixdate_wrong_weekday", "Mon, 06 Nov 1994 08:49:37 GMT"},
        invalid_case{"rfc850_wrong_weekday", "Monday, 06-Nov-94 08:49:37 GMT"},
        invalid_case{"asctime_wrong_weekday", "Mon Nov  6 08:49:37 1994"}),
    case_name);

// ---------------------------------------------------------------------------------------------
// The rfc850-date two-digit year (RFC 9110 §5.6.7): a timestamp more than 50 years after `now`
// means the most recent past year with the same last two digits.

struct rfc850_case {
  std::string_view name;
  std::int64_t now;
  std::string_view input;
  std::optional<std::int64_t> expected;
};

class HttpDateRfc850Year : public testing::TestWithParam<rfc850_case> {};

TEST_P(HttpDateRfc850Year, ResolvesTheCentury) {
  const rfc850_case& c = GetParam();
  std::optional<sys_seconds> expected;
  if (c.expected) expected = at(*c.expected);
  EXPECT_EQ(parse_http_date(c.input, at(c.now)), expected) << c.input;
}

constexpr std::int64_t now_2024 = 1718452800;  // 2024-06-15T12:00:00Z, limit 2074-06-15T12:00:00
constexpr std::int64_t now_2060 = 2840140800;  // 2060-01-01T00:00:00Z

INSTANTIATE_TEST_SUITE_P(
    Rfc9110, HttpDateRfc850Year,
    testing::Values(
        rfc850_case{"same_year", now_2024, "Monday, 01-Jan-24 00:00:00 GMT", 1704067200},
        rfc850_case{"exactly_50_years_ahead_stays_in_future", now_2024,
                    "Friday, 15-Jun-74 12:00:00 GMT", 3296289600},
        rfc850_case{"one_second_before_the_limit", now_2024, "Friday, 15-Jun-74 11:59:59 GMT",
                    3296289599},
        rfc850_case{"one_second_past_the_limit_goes_back_a_century", now_2024,
                    "Saturday, 15-Jun-74 12:00:01 GMT", 140529601},
        rfc850_case{"day_past_the_limit_goes_back_a_century", now_2024,
                    "Sunday, 16-Jun-74 00:00:00 GMT", 140572800},
        rfc850_case{"day_before_the_limit_stays_in_future", now_2024,
                    "Thursday, 14-Jun-74 23:59:59 GMT", 3296246399},
        rfc850_case{"year_past_the_limit", now_2024, "Wednesday, 01-Jan-75 00:00:00 GMT",
                    157766400},
        rfc850_case{"year_before_the_limit", now_2024, "Sunday, 31-Dec-73 00:00:00 GMT",
                    3281904000},
        // Found by the fuzzer: the window's far end lies 50 calendar years before now (18263
        // days here), not a century before the near end counted in fixed days.
        rfc850_case{"a_day_past_the_limit_seen_from_1970", 0, "Friday, 02-Jan-20 00:00:00 GMT",
                    -1577836800},
        rfc850_case{"year_00_in_2024", now_2024, "Saturday, 01-Jan-00 00:00:00 GMT", 946684800},
        rfc850_case{"year_00_in_2060", now_2060, "Friday, 01-Jan-00 00:00:00 GMT", 4102444800},
        // The year is chosen by the rule first; the day name is then checked, never used to
        // pick a century.
        rfc850_case{"weekday_of_the_other_century", now_2024, "Friday, 15-Jun-74 12:00:01 GMT",
                    std::nullopt},
        rfc850_case{"weekday_of_2000_in_2060", now_2060, "Saturday, 01-Jan-00 00:00:00 GMT",
                    std::nullopt},
        rfc850_case{"february_29_in_leap_2000", now_2024, "Tuesday, 29-Feb-00 00:00:00 GMT",
                    951782400},
        rfc850_case{"february_29_in_common_2100", now_2060, "Monday, 29-Feb-00 00:00:00 GMT",
                    std::nullopt},
        // Near the end of the 4DIGIT range: a year past 9999 is rejected.
        rfc850_case{"last_second_of_9999", 253402300799, "Friday, 31-Dec-99 23:59:59 GMT",
                    253402300799},
        rfc850_case{"year_10000_rejected", 253402300799, "Saturday, 01-Jan-00 00:00:00 GMT",
                    std::nullopt},
        rfc850_case{"year_0001_when_now_is_year_0000", -62167219200,
                    "Monday, 01-Jan-01 00:00:00 GMT", -62135596800}),
    case_name);

TEST(HttpDateRfc850Year, ExtremeNowIsClampedToTheHttpDateRange) {
  EXPECT_EQ(parse_http_date("Friday, 31-Dec-99 23:59:59 GMT", sys_seconds::max()),
            std::optional{at(253402300799)});
  EXPECT_EQ(parse_http_date("Monday, 01-Jan-01 00:00:00 GMT", sys_seconds::min()),
            std::optional{at(-62135596800)});
}

TEST(HttpDate, ThreeRfcExamplesAreTheSameInstant) {
  const auto imf = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT", fixed_now);
  const auto rfc850 = parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", fixed_now);
  const auto asctime = parse_http_date("Sun Nov  6 08:49:37 1994", fixed_now);
  ASSERT_TRUE(imf.has_value());
  EXPECT_EQ(rfc850, imf);
  EXPECT_EQ(asctime, imf);
}

TEST(HttpDate, OverloadWithoutNowUsesTheSystemClock) {
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), std::optional{at(rfc_example)});
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), std::optional{at(rfc_example)});
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 gmt"), std::nullopt);
}

// ---------------------------------------------------------------------------------------------
// Formatting.

struct format_case {
  std::string_view name;
  sys_seconds instant;
  std::string_view expected;
};

class HttpDateFormat : public testing::TestWithParam<format_case> {};

TEST_P(HttpDateFormat, WritesImfFixdate) {
  const format_case& c = GetParam();
  EXPECT_EQ(format_http_date(c.instant), c.expected);

  // The span overload writes exactly 29 characters and nothing around them.
  std::array<char, http_date_length + 2> buffer;
  buffer.fill('#');
  format_http_date(c.instant, std::span<char, http_date_length>{buffer.data() + 1, 29});
  EXPECT_EQ(buffer.front(), '#');
  EXPECT_EQ(buffer.back(), '#');
  EXPECT_EQ(std::string_view(buffer.data() + 1, http_date_length), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc9110, HttpDateFormat,
    testing::Values(
        format_case{"rfc_example", at(rfc_example), "Sun, 06 Nov 1994 08:49:37 GMT"},
        format_case{"epoch", at(0), "Thu, 01 Jan 1970 00:00:00 GMT"},
        format_case{"before_epoch", at(-1), "Wed, 31 Dec 1969 23:59:59 GMT"},
        format_case{"leap_day_2000", at(951782400), "Tue, 29 Feb 2000 00:00:00 GMT"},
        format_case{"rollover_2038", at(2147483648), "Tue, 19 Jan 2038 03:14:08 GMT"},
        format_case{"year_0000", http_date_min, "Sat, 01 Jan 0000 00:00:00 GMT"},
        format_case{"year_9999", http_date_max, "Fri, 31 Dec 9999 23:59:59 GMT"},
        // Outside 0000..9999 the instant is clamped to the nearer representable one.
        format_case{"clamped_below", http_date_min - std::chrono::seconds{1},
                    "Sat, 01 Jan 0000 00:00:00 GMT"},
        format_case{"clamped_above", http_date_max + std::chrono::seconds{1},
                    "Fri, 31 Dec 9999 23:59:59 GMT"},
        format_case{"clamped_minimum", sys_seconds::min(), "Sat, 01 Jan 0000 00:00:00 GMT"},
        format_case{"clamped_maximum", sys_seconds::max(), "Fri, 31 Dec 9999 23:59:59 GMT"}),
    case_name);

// ---------------------------------------------------------------------------------------------
// Round trips.

// Rewrites an IMF-fixdate into the two obsolete forms, so that every form can be checked
// against the formatter over the whole range.
std::string to_rfc850(std::string_view imf) {
  constexpr std::array<std::string_view, 7> short_names{"Sun", "Mon", "Tue", "Wed",
                                                        "Thu", "Fri", "Sat"};
  constexpr std::array<std::string_view, 7> long_names{"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};
  std::string out;
  for (std::size_t i = 0; i < short_names.size(); ++i)
    if (imf.substr(0, 3) == short_names[i]) out = long_names[i];
  // "Sun, 06 Nov 1994 08:49:37 GMT" -> "Sunday, 06-Nov-94 08:49:37 GMT"
  out.append(", ").append(imf.substr(5, 2)).append("-").append(imf.substr(8, 3)).append("-");
  out.append(imf.substr(14, 2)).append(imf.substr(16));
  return out;
}

std::string to_asctime(std::string_view imf) {
  // "Sun, 06 Nov 1994 08:49:37 GMT" -> "Sun Nov  6 08:49:37 1994"
  std::string out{imf.substr(0, 3)};
  out.append(" ").append(imf.substr(8, 3)).append(" ");
  out.push_back(imf[5] == '0' ? ' ' : imf[5]);
  out.push_back(imf[6]);
  out.append(imf.substr(16, 9)).append(" ").append(imf.substr(12, 4));
  return out;
}

void expect_round_trip(sys_seconds t) {
  const std::string imf = format_http_date(t);
  ASSERT_EQ(parse_http_date(imf, fixed_now), std::optional{t}) << imf;
  // With now = t the rfc850 two-digit year resolves to t's own year.
  const std::string rfc850 = to_rfc850(imf);
  ASSERT_EQ(parse_http_date(rfc850, t), std::optional{t}) << rfc850;
  const std::string asctime = to_asctime(imf);
  ASSERT_EQ(parse_http_date(asctime, fixed_now), std::optional{t}) << asctime;
}

TEST(HttpDateRoundTrip, NotableInstants) {
  for (std::int64_t s :
       {std::int64_t{0}, std::int64_t{-1}, rfc_example, std::int64_t{951782400},  // 2000-02-29
        std::int64_t{951868799},      // 2000-02-29T23:59:59
        std::int64_t{2147483647},     // 2038-01-19T03:14:07
        std::int64_t{2147483648},     // 2038-01-19T03:14:08
        std::int64_t{4107542400},     // 2100-03-01
        std::int64_t{-2203891200},    // 1900-03-01
        std::int64_t{253402300799},   // 9999-12-31T23:59:59
        std::int64_t{-62167219200}})  // 0000-01-01
    expect_round_trip(at(s));
}

TEST(HttpDateRoundTrip, SweepOfTheWholeRange) {
  // A step that is not a whole number of minutes, hours or days visits every field value.
  constexpr std::chrono::seconds step{61 * (7 * 86400 + 3 * 3600 + 17 * 60 + 13)};
  int count = 0;
  for (sys_seconds t = http_date_min; t <= http_date_max; t += step) {
    expect_round_trip(t);
    ++count;
  }
  EXPECT_GT(count, 8000);
}

TEST(HttpDateRoundTrip, EveryDayAroundCenturyAndLeapBoundaries) {
  using namespace std::chrono;
  // 1900 and 2100 are common years, 2000 is a leap year (divisible by 400), 0000 too.
  const std::array<std::pair<sys_days, sys_days>, 4> windows{{
      {sys_days{year{0} / January / 1}, sys_days{year{1} / April / 1}},
      {sys_days{year{1899} / December / 1}, sys_days{year{1900} / April / 1}},
      {sys_days{year{1999} / December / 1}, sys_days{year{2001} / April / 1}},
      {sys_days{year{2099} / December / 1}, sys_days{year{2100} / April / 1}},
  }};
  for (const auto& [first, last] : windows) {
    for (sys_days d = first; d < last; d += days{1}) {
      // A different time of day on each day.
      const std::int64_t second_of_day = (d.time_since_epoch().count() % 86400 + 86400) * 7919;
      expect_round_trip(sys_seconds{d} + seconds{second_of_day % 86400});
    }
  }
}

}  // namespace
}  // namespace herald::core
