#pragma once
// The character classes and small grammar pieces every HTTP field parser shares
// (RFC 9110 §5.6, RFC 5234 Appendix B.1). Pure functions over std::string_view; no allocation
// except where a function returns std::string.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace herald::core::syntax {

namespace detail {
constexpr std::array<bool, 256> make_tchar_table() {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (char c : std::string_view{"!#$%&'*+-.^_`|~"}) table[static_cast<unsigned char>(c)] = true;
  return table;
}
inline constexpr std::array<bool, 256> tchar_table = make_tchar_table();
}  // namespace detail

// tchar (RFC 9110 §5.6.2): the characters of a token, such as a method or field name.
constexpr bool is_tchar(char c) { return detail::tchar_table[static_cast<unsigned char>(c)]; }

constexpr bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_tchar(c)) return false;
  return true;
}

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
constexpr bool is_hexdig(char c) {
  return is_digit(c) || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}
// The value of a hexadecimal digit; `c` must satisfy is_hexdig.
constexpr int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}
// OWS / RWS / BWS are made of SP and HTAB only (RFC 9110 §5.6.3).
constexpr bool is_ows(char c) { return c == ' ' || c == '\t'; }
constexpr bool is_vchar(char c) { return c >= '!' && c <= '~'; }
// obs-text (RFC 9110 §5.5): octets 0x80-0xFF, allowed in field values and quoted strings.
constexpr bool is_obs_text(char c) { return static_cast<unsigned char>(c) >= 0x80; }
// field-vchar = VCHAR / obs-text; a field value may also hold SP and HTAB between them.
constexpr bool is_field_vchar(char c) { return is_vchar(c) || is_obs_text(c); }

namespace detail {
// The octets a field value may hold: field-vchar, SP and HTAB (RFC 9110 §5.5).
constexpr std::array<bool, 256> make_field_value_table() {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c)
    table[static_cast<std::size_t>(c)] =
        is_field_vchar(static_cast<char>(c)) || is_ows(static_cast<char>(c));
  return table;
}
inline constexpr std::array<bool, 256> field_value_table = make_field_value_table();
}  // namespace detail

namespace detail {
// Whether a word of eight octets holds none below 0x20 and no 0x7F: then every octet is one a
// field value may hold. HTAB, the one control allowed, fails this and needs the table.
inline bool plain_field_octets(std::uint64_t w) {
  constexpr std::uint64_t ones = 0x0101010101010101u;
  constexpr std::uint64_t highs = 0x8080808080808080u;
  const std::uint64_t below_space = (w - 0x20 * ones) & ~w & highs;
  const std::uint64_t x = w ^ (0x7f * ones);
  const std::uint64_t del = (x - ones) & ~x & highs;
  return (below_space | del) == 0;
}

inline std::uint64_t load_word(const char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

inline std::uint64_t load_half(const char* p) {
  std::uint32_t h;
  std::memcpy(&h, p, 4);
  return h;
}

// The octets of `v` in whole words, the last overlapping the one before it; a value shorter
// than a word in one word, padded with 'a'. Octets read twice do no harm to the test.
inline bool plain_field_value(std::string_view v) {
  const char* p = v.data();
  const std::size_t n = v.size();
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8)
      if (!plain_field_octets(load_word(p + i))) return false;
    return plain_field_octets(load_word(p + n - 8));
  }
  if (n >= 4) return plain_field_octets(load_half(p) | load_half(p + n - 4) << 32);
  if (n == 0) return true;
  constexpr std::uint64_t padding = 0x6161616161000000u;
  const auto octet = [](char c) { return static_cast<std::uint64_t>(static_cast<unsigned char>(c)); };
  return plain_field_octets(padding | octet(p[0]) | octet(p[n / 2]) << 8 | octet(p[n - 1]) << 16);
}
}  // namespace detail

// A field value as RFC 9110 §5.5 allows it once the surrounding OWS is gone: no CR, LF,
// NUL or other control characters, and no leading or trailing whitespace.
constexpr bool is_field_value(std::string_view v) {
  // Servers check every field they send with this, so a value is first checked a word at a
  // time; only one with a control octet (HTAB is allowed) goes to the table, octet by octet.
  // (Not a const variable: its initializer would count as constant-evaluated.)
  bool plain = false;
  if (!std::is_constant_evaluated()) plain = detail::plain_field_value(v);
  if (!plain)
    for (char c : v)
      if (!detail::field_value_table[static_cast<unsigned char>(c)]) return false;
  return v.empty() || (!is_ows(v.front()) && !is_ows(v.back()));
}

constexpr char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// ASCII case-insensitive equality, the comparison for field names, tokens such as
// coding names and media type names (RFC 9110 §5.1, §8.3.1).
constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  return true;
}

// Drops the OWS at the start of `in` (RFC 9110 §5.6.3), for parsers that walk a value in place.
constexpr void skip_ows(std::string_view& in) {
  while (!in.empty() && is_ows(in.front())) in.remove_prefix(1);
}

constexpr std::string_view trim_ows(std::string_view s) {
  skip_ows(s);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

// Reads the longest run of tchar at the start of `in` and advances `in` past it. The result is a
// view into the caller's buffer; it is empty, and `in` unchanged, when `in` does not start with a
// tchar, so a caller that needs a token (1*tchar, RFC 9110 §5.6.2) checks for empty.
constexpr std::string_view consume_token(std::string_view& in) {
  std::size_t n = 0;
  while (n < in.size() && is_tchar(in[n])) ++n;
  std::string_view token = in.substr(0, n);
  in.remove_prefix(n);
  return token;
}

// Reads a quoted-string (RFC 9110 §5.6.4) at the start of `in`. On success returns the
// unescaped content and advances `in` past the closing quote; on malformed input returns
// nullopt and leaves `in` unchanged.
std::optional<std::string> consume_quoted_string(std::string_view& in);

// Length of the quoted-string at the start of `s`, closing quote included, or 0 if `s` does not
// start with a complete, well-formed quoted-string. Lets a caller skip one without copying.
std::size_t quoted_string_length(std::string_view s);

// `text` as a quoted-string: DQUOTE and backslash escaped with a quoted-pair. The inverse of
// consume_quoted_string for text a quoted-string can hold (no CR, LF or other controls).
std::string quote(std::string_view text);

}  // namespace herald::core::syntax
