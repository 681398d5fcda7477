// Invariants of the form and base64 decoders:
// - parse_form_urlencoded never crashes, yields no more pairs than there are '&'-separated
//   items, and decodes no name or value to more octets than its source;
// - base64 that decodes yields three octets per four characters, less the padding;
// - any octets encode and decode back to themselves, in both alphabets.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <herald/core/form.hpp>

#include "fuzz_support.hpp"

namespace {

using namespace herald::core;
using herald::fuzz::check;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  const auto pairs = parse_form_urlencoded(input);
  check(pairs.size() <= static_cast<std::size_t>(std::count(input.begin(), input.end(), '&')) + 1);
  for (const auto& [name, value] : pairs) check(name.size() + value.size() <= input.size());

  if (std::optional<std::string> decoded = base64_decode(input)) {
    std::string padded(input);
    while (padded.size() % 4 != 0) padded += '=';
    const auto padding = static_cast<std::size_t>(padded.size() - padded.find_last_not_of('=') - 1);
    check(decoded->size() == padded.size() / 4 * 3 - (padded.empty() ? 0 : padding));
  }
  const std::string encoded = base64_encode(input);
  check(base64_decode(encoded) == std::string(input));
  std::string url = encoded;
  std::replace(url.begin(), url.end(), '+', '-');
  std::replace(url.begin(), url.end(), '/', '_');
  check(base64_decode(url, true) == std::string(input));
  return 0;
}
