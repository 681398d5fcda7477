#include "herald/core/safe_path.hpp"

#include <array>
#include <cstddef>

#include "herald/core/uri.hpp"

namespace herald::core {

namespace {

constexpr bool is_ascii_control(unsigned char b) {
  return b < 0x20 || b == 0x7F;
}

// Appends the decoded `segment` to `out`, refusing what could change the path's structure
// once decoded: a NUL (it ends a C string), '/' and '\' (separators).
safe_path_error decode_segment(std::string_view segment, std::string& out) {
  for (std::size_t i = 0; i < segment.size(); ++i) {
    const char c = segment[i];
    if (c == '%') {
      if (!uri_chars::is_pct_encoded(segment, i)) return safe_path_error::invalid_percent_encoding;
      const char decoded = uri_chars::pct_decoded(segment, i);
      if (decoded == '\0') return safe_path_error::encoded_nul;
      if (decoded == '/') return safe_path_error::encoded_slash;
      if (decoded == '\\') return safe_path_error::backslash;
      out += decoded;
      i += 2;
      continue;
    }
    if (c == '\\') return safe_path_error::backslash;
    if (is_ascii_control(static_cast<unsigned char>(c))) return safe_path_error::control_character;
    if (!uri_chars::is_pchar(c)) return safe_path_error::invalid_character;
    out += c;
  }
  return safe_path_error::none;
}

// Well-formed UTF-8 as RFC 3629 §4 defines it: the first octet fixes the length and the range
// of the second octet, which is how overlong forms (C0 AE, E0 80 AE), surrogates (ED A0-BF) and
// code points above U+10FFFF (F4 90+, F5-FF) are excluded. Control characters, including the C1
// range U+0080-U+009F (C2 80-9F), are refused too: no file name needs them and terminals
// interpret them when the name is logged.
safe_path_error check_decoded(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      if (is_ascii_control(b)) return safe_path_error::control_character;
      ++i;
      continue;
    }
    std::size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
      length = 2;
    } else if (b == 0xE0) {
      length = 3;
      low = 0xA0;
    } else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) {
      length = 3;
    } else if (b == 0xED) {
      length = 3;
      high = 0x9F;
    } else if (b == 0xF0) {
      length = 4;
      low = 0x90;
    } else if (b >= 0xF1 && b <= 0xF3) {
      length = 4;
    } else if (b == 0xF4) {
      length = 4;
      high = 0x8F;
    } else {
      return safe_path_error::invalid_utf8;
    }
    if (i + length > s.size()) return safe_path_error::invalid_utf8;
    const auto second = static_cast<unsigned char>(s[i + 1]);
    if (second < low || second > high) return safe_path_error::invalid_utf8;
    for (std::size_t k = 2; k < length; ++k) {
      const auto next = static_cast<unsigned char>(s[i + k]);
      if (next < 0x80 || next > 0xBF) return safe_path_error::invalid_utf8;
    }
    if (b == 0xC2 && second <= 0x9F) return safe_path_error::control_character;
    i += length;
  }
  return safe_path_error::none;
}

// Whether the segment decodes to itself and needs no further check: pchar but '%' (is_pchar),
// all printable ASCII, as most paths are.
bool is_plain(std::string_view segment) {
  static constexpr auto plain = [] {
    std::array<bool, 256> table{};
    for (std::size_t c = 0; c < table.size(); ++c)
      table[c] = uri_chars::is_pchar(static_cast<char>(c));
    return table;
  }();
  for (char c : segment)
    if (!plain[static_cast<unsigned char>(c)]) return false;
  return true;
}

safe_path_result failure(safe_path_error e) {
  safe_path_result result;
  result.error = e;
  return result;
}

}  // namespace

std::string_view describe(safe_path_error e) {
  switch (e) {
    case safe_path_error::none:
      return "path is safe";
    case safe_path_error::not_absolute:
      return "path does not start with '/'";
    case safe_path_error::invalid_character:
      return "path contains a character not allowed there";
    case safe_path_error::invalid_percent_encoding:
      return "path has a '%' that is not followed by two hex digits";
    case safe_path_error::encoded_nul:
      return "path contains an encoded NUL (%00)";
    case safe_path_error::encoded_slash:
      return "path contains an encoded slash (%2F)";
    case safe_path_error::backslash:
      return "path contains a backslash";
    case safe_path_error::control_character:
      return "path contains a control character";
    case safe_path_error::invalid_utf8:
      return "path is not valid UTF-8 once decoded";
    case safe_path_error::escapes_root:
      return "path climbs above the document root";
  }
  return "path is not safe";
}

safe_path_result map_safe_path(std::string_view raw_path) {
  if (raw_path.empty() || raw_path.front() != '/') return failure(safe_path_error::not_absolute);
  safe_path_result result;
  std::string& out = result.path.relative;
  out.reserve(raw_path.size());
  std::size_t begin = 1;
  for (;;) {
    std::size_t end = raw_path.find('/', begin);
    const bool last = end == std::string_view::npos;
    if (last) end = raw_path.size();
    // The segment is decoded in place at the end of `out`, then kept or taken back.
    const std::size_t mark = out.size();
    if (mark != 0) out += '/';
    const std::size_t start = out.size();
    const std::string_view raw_segment = raw_path.substr(begin, end - begin);
    if (is_plain(raw_segment)) {
      out.append(raw_segment);
    } else {
      if (safe_path_error e = decode_segment(raw_segment, out); e != safe_path_error::none)
        return failure(e);
      if (safe_path_error e = check_decoded(std::string_view(out).substr(start));
          e != safe_path_error::none)
        return failure(e);
    }
    const std::string_view segment = std::string_view(out).substr(start);

    bool names_directory = false;
    if (segment.empty() || segment == ".") {
      out.resize(mark);
      names_directory = true;
    } else if (segment == "..") {
      out.resize(mark);
      if (mark == 0) return failure(safe_path_error::escapes_root);
      const std::size_t slash = out.rfind('/');
      out.resize(slash == std::string::npos ? 0 : slash);
      names_directory = true;
    }
    if (last) {
      result.path.directory = names_directory;
      return result;
    }
    begin = end + 1;
  }
}

}  // namespace herald::core
