#include <array>
#include <compare>
#include <herald/core/http_date.hpp>
#include <herald/core/syntax.hpp>

namespace herald::core {

using namespace std::chrono;

namespace {

constexpr std::array<std::string_view, 7> day_names{"Sun", "Mon", "Tue", "Wed",
                                                    "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> long_day_names{
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> month_names{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Index of `name` in `names` (exact, case-sensitive match), or -1.
template <std::size_t N>
constexpr int find_name(const std::array<std::string_view, N>& names, std::string_view name) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == name) return static_cast<int>(i);
  return -1;
}

// Value of a run of exactly `s.size()` digits, or -1 if any character is not a digit.
constexpr int parse_digits(std::string_view s) {
  int value = 0;
  for (char c : s) {
    if (!syntax::is_digit(c)) return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

// A broken-down timestamp as written, before it is checked against the calendar. Field order
// makes the defaulted comparison chronological, which the rfc850 year rule relies on.
struct civil_time {
  int year = 0;
  int month = 0;  // 1..12
  int day = 0;    // 1..31
  int hour = 0;
  int minute = 0;
  int second = 0;
  friend constexpr auto operator<=>(const civil_time&, const civil_time&) = default;
};

// time-of-day = hour ":" minute ":" second (exactly "HH:MM:SS"). Leaves the fields of `out`
// untouched and returns false when malformed or out of range.
constexpr bool parse_time_of_day(std::string_view s, civil_time& out) {
  if (s.size() != 8 || s[2] != ':' || s[5] != ':') return false;
  int hour = parse_digits(s.substr(0, 2));
  int minute = parse_digits(s.substr(3, 2));
  int second = parse_digits(s.substr(6, 2));
  if (hour < 0 || minute < 0 || second < 0) return false;
  if (hour > 23 || minute > 59) return false;
  // RFC 9110 §5.6.7 / RFC 5322 §3.3: the range is 00:00:00 - 23:59:60, 60 being a leap
  // second. sys_seconds has no leap seconds, so it becomes the second before the insertion.
  if (second == 60 && hour == 23 && minute == 59) second = 59;
  if (second > 59) return false;
  out.hour = hour;
  out.minute = minute;
  out.second = second;
  return true;
}

constexpr civil_time to_civil(sys_seconds t) {
  const sys_days date = floor<days>(t);
  const year_month_day ymd{date};
  const hh_mm_ss<seconds> tod{t - date};
  return {static_cast<int>(ymd.year()),
          static_cast<int>(static_cast<unsigned>(ymd.month())),
          static_cast<int>(static_cast<unsigned>(ymd.day())),
          static_cast<int>(tod.hours().count()),
          static_cast<int>(tod.minutes().count()),
          static_cast<int>(tod.seconds().count())};
}

// Turns the written fields into an instant, checking what the grammar cannot: that the date
// exists, that it lies in the 4DIGIT year range, and that the day name agrees with it.
std::optional<sys_seconds> to_instant(const civil_time& c, int weekday_index) {
  if (c.year < 0 || c.year > 9999) return std::nullopt;
  const year_month_day ymd{year{c.year}, month{static_cast<unsigned>(c.month)},
                           day{static_cast<unsigned>(c.day)}};
  if (!ymd.ok()) return std::nullopt;
  const sys_days date{ymd};
  // RFC 5322 §3.3 (whose semantics RFC 9110 §5.6.7 adopts): the day-of-week "MUST be the day
  // implied by the date".
  if (weekday{date}.c_encoding() != static_cast<unsigned>(weekday_index)) return std::nullopt;
  return sys_seconds{date} + hours{c.hour} + minutes{c.minute} + seconds{c.second};
}

// IMF-fixdate = day-name "," SP day SP month SP year SP time-of-day SP GMT
std::optional<sys_seconds> parse_imf_fixdate(std::string_view s) {
  if (s.size() != http_date_length) return std::nullopt;
  if (s.substr(3, 2) != ", " || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s[25] != ' ')
    return std::nullopt;
  if (s.substr(26) != "GMT") return std::nullopt;
  const int weekday_index = find_name(day_names, s.substr(0, 3));
  const int month_index = find_name(month_names, s.substr(8, 3));
  civil_time c;
  c.day = parse_digits(s.substr(5, 2));
  c.year = parse_digits(s.substr(12, 4));
  if (weekday_index < 0 || month_index < 0 || c.day < 0 || c.year < 0) return std::nullopt;
  c.month = month_index + 1;
  if (!parse_time_of_day(s.substr(17, 8), c)) return std::nullopt;
  return to_instant(c, weekday_index);
}

// rfc850-date = day-name-l "," SP day "-" month "-" 2DIGIT SP time-of-day SP GMT
std::optional<sys_seconds> parse_rfc850_date(std::string_view s, sys_seconds now) {
  const std::size_t comma = s.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  const int weekday_index = find_name(long_day_names, s.substr(0, comma));
  s.remove_prefix(comma);
  // ", 06-Nov-94 08:49:37 GMT"
  if (weekday_index < 0 || s.size() != 24) return std::nullopt;
  if (s.substr(0, 2) != ", " || s[4] != '-' || s[8] != '-' || s[11] != ' ' || s[20] != ' ')
    return std::nullopt;
  if (s.substr(21) != "GMT") return std::nullopt;
  const int month_index = find_name(month_names, s.substr(5, 3));
  const int two_digit_year = parse_digits(s.substr(9, 2));
  civil_time c;
  c.day = parse_digits(s.substr(2, 2));
  if (month_index < 0 || two_digit_year < 0 || c.day < 0) return std::nullopt;
  c.month = month_index + 1;
  if (!parse_time_of_day(s.substr(12, 8), c)) return std::nullopt;

  // RFC 9110 §5.6.7: a timestamp that "appears to be more than 50 years in the future" is
  // read as "the most recent year in the past that had the same last two digits". The latest
  // year ending in those digits that is at most 50 years ahead satisfies both halves.
  if (now < http_date_min) now = http_date_min;
  if (now > http_date_max) now = http_date_max;
  civil_time limit = to_civil(now);
  limit.year += 50;
  c.year = limit.year - limit.year % 100 + two_digit_year;
  if (c > limit) c.year -= 100;
  return to_instant(c, weekday_index);
}

// asctime-date = day-name SP month SP ( 2DIGIT / ( SP DIGIT ) ) SP time-of-day SP year
std::optional<sys_seconds> parse_asctime_date(std::string_view s) {
  // "Sun Nov  6 08:49:37 1994"
  if (s.size() != 24) return std::nullopt;
  if (s[3] != ' ' || s[7] != ' ' || s[10] != ' ' || s[19] != ' ') return std::nullopt;
  const int weekday_index = find_name(day_names, s.substr(0, 3));
  const int month_index = find_name(month_names, s.substr(4, 3));
  civil_time c;
  // date3 allows the day as two digits or as SP DIGIT, never as a lone digit or "  ".
  c.day = s[8] == ' ' ? parse_digits(s.substr(9, 1)) : parse_digits(s.substr(8, 2));
  c.year = parse_digits(s.substr(20, 4));
  if (weekday_index < 0 || month_index < 0 || c.day < 0 || c.year < 0) return std::nullopt;
  c.month = month_index + 1;
  if (!parse_time_of_day(s.substr(11, 8), c)) return std::nullopt;
  return to_instant(c, weekday_index);
}

void write_two_digits(int value, char* out) {
  out[0] = static_cast<char>('0' + value / 10);
  out[1] = static_cast<char>('0' + value % 10);
}

}  // namespace

std::optional<sys_seconds> parse_http_date(std::string_view text, sys_seconds now) {
  // The three forms differ by the fourth character: "Sun," "Sun " and "Sunday,".
  if (text.size() < 4) return std::nullopt;
  if (text[3] == ',') return parse_imf_fixdate(text);
  if (text[3] == ' ') return parse_asctime_date(text);
  return parse_rfc850_date(text, now);
}

std::optional<sys_seconds> parse_http_date(std::string_view text) {
  return parse_http_date(text, floor<seconds>(system_clock::now()));
}

void format_http_date(sys_seconds t, std::span<char, http_date_length> out) {
  if (t < http_date_min) t = http_date_min;
  if (t > http_date_max) t = http_date_max;
  const sys_days date = floor<days>(t);
  const civil_time c = to_civil(t);
  char* p = out.data();
  const std::string_view day_name = day_names[weekday{date}.c_encoding()];
  const std::string_view month_name = month_names[static_cast<std::size_t>(c.month - 1)];
  p[0] = day_name[0];
  p[1] = day_name[1];
  p[2] = day_name[2];
  p[3] = ',';
  p[4] = ' ';
  write_two_digits(c.day, p + 5);
  p[7] = ' ';
  p[8] = month_name[0];
  p[9] = month_name[1];
  p[10] = month_name[2];
  p[11] = ' ';
  write_two_digits(c.year / 100, p + 12);
  write_two_digits(c.year % 100, p + 14);
  p[16] = ' ';
  write_two_digits(c.hour, p + 17);
  p[19] = ':';
  write_two_digits(c.minute, p + 20);
  p[22] = ':';
  write_two_digits(c.second, p + 23);
  p[25] = ' ';
  p[26] = 'G';
  p[27] = 'M';
  p[28] = 'T';
}

std::string format_http_date(sys_seconds t) {
  std::string out(http_date_length, '\0');
  format_http_date(t, std::span<char, http_date_length>{out.data(), http_date_length});
  return out;
}

}  // namespace herald::core
