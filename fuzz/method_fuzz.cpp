#include <herald/core/method.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

// Whatever the bytes, parse_method either rejects them or names a method whose wire name is
// exactly those bytes.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto m = herald::core::parse_method(input)) {
    if (herald::core::to_string(*m) != input) __builtin_trap();
  }
  return 0;
}
