#include <herald/core/syntax.hpp>

namespace herald::core::syntax {

namespace {
// qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
constexpr bool is_qdtext(char c) {
  return c == '\t' || c == ' ' || c == '!' || (c >= '#' && c <= '[') || (c >= ']' && c <= '~') ||
         is_obs_text(c);
}
// quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
constexpr bool is_quotable(char c) { return c == '\t' || c == ' ' || is_vchar(c) || is_obs_text(c); }
}  // namespace

std::size_t quoted_string_length(std::string_view s) {
  if (s.empty() || s.front() != '"') return 0;
  for (std::size_t i = 1; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"') return i + 1;
    if (c == '\\') {
      if (i + 1 >= s.size() || !is_quotable(s[i + 1])) return 0;
      ++i;
    } else if (!is_qdtext(c)) {
      return 0;
    }
  }
  return 0;
}

std::optional<std::string> consume_quoted_string(std::string_view& in) {
  std::size_t length = quoted_string_length(in);
  if (length == 0) return std::nullopt;
  std::string out;
  out.reserve(length - 2);
  for (std::size_t i = 1; i + 1 < length; ++i) {
    if (in[i] == '\\') ++i;
    out.push_back(in[i]);
  }
  in.remove_prefix(length);
  return out;
}

std::string quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace herald::core::syntax
