// Invariants of parse_http_date and format_http_date:
// - parsing never crashes, and every parsed instant lies in [http_date_min, http_date_max];
// - format(parse(x)) is a 29-character IMF-fixdate that parses back to the same instant;
// - an IMF-fixdate that parses formats back to itself (a leap second :60 comes back as :59);
// - IMF-fixdate and asctime results do not depend on "now"; an rfc850 result lies within the
//   100-year window that ends 50 years after "now";
// - formatting any 64-bit instant (the first 8 input bytes) gives a date that parses back to
//   the instant clamped into the HTTP-date range.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include <herald/core/http_date.hpp>

#include "fuzz_support.hpp"

namespace {

using herald::core::format_http_date;
using herald::core::http_date_length;
using herald::core::http_date_max;
using herald::core::http_date_min;
using herald::core::parse_http_date;
using herald::fuzz::check;
using std::chrono::sys_seconds;

constexpr std::array<sys_seconds, 4> nows{
    http_date_min, sys_seconds{std::chrono::seconds{0}},
    sys_seconds{std::chrono::seconds{1718452800}},  // 2024-06-15T12:00:00Z
    http_date_max};

// The window is the 50 calendar years either side of now. 50 years are at most 18263 days;
// the bound keeps one spare day.
constexpr std::chrono::seconds fifty_years_bound{18264LL * 86400};

bool looks_like_imf_fixdate(std::string_view s) {
  return s.size() == http_date_length && s[3] == ',';
}

void check_parsed(std::string_view input, sys_seconds now, sys_seconds parsed) {
  check(parsed >= http_date_min && parsed <= http_date_max);

  const std::string formatted = format_http_date(parsed);
  check(formatted.size() == http_date_length);
  check(parse_http_date(formatted, now) == parsed);

  std::array<char, http_date_length> buffer{};
  format_http_date(parsed, buffer);
  check(std::string_view(buffer.data(), buffer.size()) == formatted);

  if (looks_like_imf_fixdate(input)) {
    std::string expected{input};
    if (expected.compare(17, 8, "23:59:60") == 0) expected.replace(23, 2, "59");
    check(formatted == expected);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  std::array<std::optional<sys_seconds>, nows.size()> results;
  for (std::size_t i = 0; i < nows.size(); ++i) {
    results[i] = parse_http_date(input, nows[i]);
    if (results[i]) check_parsed(input, nows[i], *results[i]);
  }
  const bool depends_on_now =
      results[0] != results[1] || results[1] != results[2] || results[2] != results[3];
  if (depends_on_now) {
    // Only the two-digit year of an rfc850-date may depend on now.
    check(size > 3 && input[3] != ',' && input[3] != ' ');
    for (std::size_t i = 0; i < nows.size(); ++i) {
      if (!results[i]) continue;
      check(*results[i] <= nows[i] + fifty_years_bound);
      check(*results[i] > nows[i] - fifty_years_bound);
    }
  }

  if (size >= sizeof(std::int64_t)) {
    std::int64_t raw;
    std::memcpy(&raw, data, sizeof raw);
    sys_seconds t{std::chrono::seconds{raw}};
    const std::string formatted = format_http_date(t);
    if (t < http_date_min) t = http_date_min;
    if (t > http_date_max) t = http_date_max;
    check(parse_http_date(formatted, nows[2]) == t);
  }
  return 0;
}
