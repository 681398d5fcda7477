// Invariants of map_safe_path, whatever the input:
// - a mapped path never starts or ends with '/', has no empty, "." or ".." segment, and holds
//   no NUL, backslash or other control character;
// - it is a fixed point: percent-encoding it again and mapping "/" + that gives it back;
// - an input ending with '/' names a directory;
// - a rejected input yields an empty path and a reason with a sentence.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <herald/core/safe_path.hpp>
#include <herald/core/uri.hpp>

#include "fuzz_support.hpp"

namespace {

using namespace herald::core;
using herald::fuzz::check;

std::string encode(std::string_view decoded) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : decoded) {
    if (c == '/' || uri_chars::is_unreserved(c)) {
      out += c;
    } else {
      const auto b = static_cast<unsigned char>(c);
      out += '%';
      out += hex[b >> 4];
      out += hex[b & 0xF];
    }
  }
  return out;
}

void check_relative(std::string_view relative) {
  if (relative.empty()) return;
  check(relative.front() != '/' && relative.back() != '/');
  std::size_t begin = 0;
  while (begin <= relative.size()) {
    std::size_t end = relative.find('/', begin);
    if (end == std::string_view::npos) end = relative.size();
    const std::string_view segment = relative.substr(begin, end - begin);
    check(!segment.empty() && segment != "." && segment != "..");
    begin = end + 1;
  }
  for (char c : relative) {
    const auto b = static_cast<unsigned char>(c);
    check(b >= 0x20 && b != 0x7F && c != '\\');
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  const safe_path_result r = map_safe_path(raw);
  check(!describe(r.error).empty());
  if (!r) {
    check(r.error != safe_path_error::none && r.path.relative.empty());
    return 0;
  }
  check_relative(r.path.relative);
  if (raw.ends_with('/')) check(r.path.directory);

  const std::string again = "/" + encode(r.path.relative);
  const safe_path_result second = map_safe_path(again);
  check(second && second.path.relative == r.path.relative);
  check(second.path.directory == r.path.relative.empty());
  return 0;
}
