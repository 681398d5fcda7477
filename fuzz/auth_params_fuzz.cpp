// Invariants of the auth-param parser:
// - it never crashes; every name it returns is a non-empty token;
// - a list it returns, written back with every value quoted, parses to the same list.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <herald/core/auth_params.hpp>
#include <herald/core/syntax.hpp>

#include "fuzz_support.hpp"

namespace {

using namespace herald::core;
using herald::fuzz::check;

std::string quoted(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto params = parse_auth_params(input);
  if (!params) return 0;
  std::string rewritten;
  for (const auto& [name, value] : *params) {
    check(!name.empty() && syntax::is_token(name));
    if (!rewritten.empty()) rewritten += ", ";
    rewritten += name + "=" + quoted(value);
  }
  check(parse_auth_params(rewritten) == params);
  return 0;
}
