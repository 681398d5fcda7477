#pragma once
// Table tests (TEST_P) whose cases carry a `name` member: a name generator for
// INSTANTIATE_TEST_SUITE_P, and a printer so that GoogleTest shows a failing case by its name
// rather than as raw bytes.
//
// GoogleTest finds PrintTo by argument-dependent lookup, so a test file brings it into the
// namespace that declares its case types:
//   using herald::test::case_name;
//   using herald::test::PrintTo;
// A case type with a PrintTo of its own (a hidden friend) keeps it: a non-template wins.

#include <gtest/gtest.h>
#include <ostream>
#include <string>

namespace herald::test {

template <class Case>
concept named_case = requires(const Case& c) {
  c.name;
};

// The name generator: INSTANTIATE_TEST_SUITE_P(prefix, suite, values, case_name). An object
// rather than a function template, so that it is passed without naming the case type.
struct case_name_generator {
  template <named_case Case>
  std::string operator()(const testing::TestParamInfo<Case>& info) const {
    return std::string{info.param.name};
  }
};
inline constexpr case_name_generator case_name{};

template <named_case Case>
void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

}  // namespace herald::test
