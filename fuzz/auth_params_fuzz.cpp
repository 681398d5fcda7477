// Invariants of the auth-param and challenge parsers:
// - they never crash; every name and scheme they return is a non-empty token;
// - a list or challenge set they return, written back with every value quoted, parses to the
//   same thing.

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


std::string written(const auth_param_list& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    check(!name.empty() && syntax::is_token(name));
    if (!out.empty()) out += ", ";
    out += name + "=" + syntax::quote(value);
  }
  return out;
}

void check_challenges(std::string_view input) {
  const auto challenges = parse_challenges(input);
  if (!challenges) return;
  std::string rewritten;
  for (const challenge& c : *challenges) {
    check(!c.scheme.empty() && syntax::is_token(c.scheme));
    check(c.token68.empty() || c.params.empty());
    if (!rewritten.empty()) rewritten += ", ";
    rewritten += c.scheme;
    if (!c.token68.empty()) rewritten += " " + c.token68;
    else if (!c.params.empty()) rewritten += " " + written(c.params);
  }
  const auto again = parse_challenges(rewritten);
  check(again.has_value() && again->size() == challenges->size());
  for (std::size_t i = 0; i < challenges->size(); ++i) {
    check((*again)[i].scheme == (*challenges)[i].scheme);
    check((*again)[i].token68 == (*challenges)[i].token68);
    check((*again)[i].params == (*challenges)[i].params);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (const auto params = parse_auth_params(input)) check(parse_auth_params(written(*params)) == params);
  check_challenges(input);
  return 0;
}
