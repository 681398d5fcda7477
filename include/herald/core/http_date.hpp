#pragma once
// HTTP-date (RFC 9110 §5.6.7): the timestamp of Date, Last-Modified, If-Modified-Since,
// If-Unmodified-Since, If-Range, Expires and Retry-After.
//
//   IMF-fixdate   Sun, 06 Nov 1994 08:49:37 GMT     the only form a sender generates
//   rfc850-date   Sunday, 06-Nov-94 08:49:37 GMT    obsolete, two-digit year
//   asctime-date  Sun Nov  6 08:49:37 1994          obsolete, no zone (always UTC)
//
// The parser is strict, and every rule below is a decision a caller can rely on:
// - Exactly the ABNF: case-sensitive day and month names and "GMT" (RFC 9110 §5.6.7 says
//   "HTTP-date is case sensitive"; only a cache recipient is told to relax this, RFC 9111 §4.2,
//   and herald has no cache); one SP wherever the grammar has SP; two-digit fields exactly two
//   digits; no leading or trailing whitespace (the field parser strips OWS before this runs).
// - The date must exist (no 30 Feb, no 29 Feb of a common year, no day 00) and the time must
//   be within 00:00:00..23:59:59.
// - The day name must be the day the date falls on: RFC 9110 §5.6.7 gives day-name the
//   semantics of RFC 5322 §3.3, which says it "MUST be the day implied by the date". A date
//   that disagrees with itself is rejected rather than guessed at.
// - Leap second: the grammar's comment allows 23:59:60. It is accepted only as 23:59:60 (the
//   only place a leap second is inserted) and yields 23:59:59, the last representable second
//   before the insertion, as std::chrono::utc_clock::to_sys does. Whether a leap second really
//   happened that day is not checked. Any other second 60 is rejected.
// - A failure to parse is reported, never repaired: callers apply the field's own rule (for
//   example RFC 9110 §13.1.3: an invalid If-Modified-Since is ignored).
//
// Every instant parse_http_date returns lies within [http_date_min, http_date_max], so
// format_http_date can always write it back.

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace herald::core {

// The length of an IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
inline constexpr std::size_t http_date_length = 29;

// The instants an HTTP-date can express: its year is 4DIGIT (proleptic Gregorian calendar).
inline constexpr std::chrono::sys_seconds http_date_min{
    std::chrono::sys_days{std::chrono::year{0} / std::chrono::January / 1}};
inline constexpr std::chrono::sys_seconds http_date_max{
    std::chrono::sys_days{std::chrono::year{9999} / std::chrono::December / 31} +
    std::chrono::seconds{86399}};

// Parses one HTTP-date in any of the three forms; nullopt if `text` is not exactly one valid
// HTTP-date. `now` is only used for rfc850-date: RFC 9110 §5.6.7 makes a recipient read a
// two-digit year that "appears to be more than 50 years in the future" as the most recent past
// year with the same last two digits, so the year chosen is the latest one ending in those
// digits whose timestamp is at most 50 calendar years after `now` (a date that does not exist
// in that year, such as 29 Feb, is rejected). An rfc850-date whose year would fall outside
// 0000..9999 is rejected. `now` outside [http_date_min, http_date_max] is clamped into it.
std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text,
                                                        std::chrono::sys_seconds now);

// As above with `now` taken from std::chrono::system_clock.
std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text);

// Writes `t` as an IMF-fixdate into exactly 29 characters (no terminating NUL), allocation
// free. An instant outside [http_date_min, http_date_max] is clamped to the nearer bound, so
// the output is always a valid HTTP-date; callers that must not send a clamped value (for
// example a Last-Modified in the future, RFC 9110 §8.8.2.1) check the range themselves.
void format_http_date(std::chrono::sys_seconds t, std::span<char, http_date_length> out);

// As above, returned as a string of 29 characters.
std::string format_http_date(std::chrono::sys_seconds t);

}  // namespace herald::core
