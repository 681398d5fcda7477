#pragma once
// What every fuzz target here uses to state its invariants. Include as "fuzz_support.hpp".

#include <optional>
#include <string_view>

namespace herald::fuzz {

// An invariant: when it does not hold, stop at once so that libFuzzer saves the input.
inline void check(bool condition) {
  if (!condition) __builtin_trap();
}

// Whether `part` is a view into `whole`, as views returned by a parser must be.
inline bool points_into(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

// An absent part points nowhere, so it holds for it too.
inline bool points_into(const std::optional<std::string_view>& part, std::string_view whole) {
  return !part || points_into(*part, whole);
}

}  // namespace herald::fuzz
