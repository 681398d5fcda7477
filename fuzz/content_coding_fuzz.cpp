// Invariants of the content codings:
// - decoding arbitrary input in any coding never crashes and never yields more than the limit;
// - what decodes re-encodes and decodes back to itself;
// - any input encodes and decodes back to itself.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <herald/core/content_coding.hpp>

#include "fuzz_support.hpp"

namespace {

using namespace herald::core;
using herald::fuzz::check;

constexpr std::size_t limit = 1 << 20;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto coding = static_cast<content_coding>(data[0] % 5);
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

  if (std::optional<std::string> decoded = decode(coding, input, limit)) {
    check(decoded->size() <= limit);
    check(decode(coding, encode(coding, *decoded), limit) == decoded);
  }
  check(decode(coding, encode(coding, input), limit) == std::string(input));
  check(content_coding_from_token(token(coding)) == coding);
  return 0;
}
