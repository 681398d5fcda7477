#include "herald/core/safe_path.hpp"

#include <gtest/gtest.h>
#include <string>
#include <string_view>

#include "support/test_cases.hpp"

namespace herald::core {
namespace {

using namespace std::string_view_literals;

using herald::test::case_name;
using herald::test::PrintTo;

// ---------------------------------------------------------------------------------------------
// Paths that map: the relative path and whether a directory was named.

struct mapped_case {
  const char* name;
  std::string_view raw;
  std::string_view relative;
  bool directory;
};

class safe_path_mapped : public testing::TestWithParam<mapped_case> {};

TEST_P(safe_path_mapped, relative_path_and_directory_flag) {
  const mapped_case& c = GetParam();
  const safe_path_result r = map_safe_path(c.raw);
  ASSERT_EQ(r.error, safe_path_error::none) << describe(r.error);
  EXPECT_EQ(r.path.relative, c.relative);
  EXPECT_EQ(r.path.directory, c.directory);
}

INSTANTIATE_TEST_SUITE_P(
    paths, safe_path_mapped,
    testing::Values(mapped_case{"root", "/", "", true},
                    mapped_case{"file", "/index.html", "index.html", false},
                    mapped_case{"directory_without_slash", "/dir", "dir", false},
                    mapped_case{"directory_with_slash", "/dir/", "dir", true},
                    mapped_case{"dot_and_dot_dot_inside_root", "/a/./b/../c/", "a/c", true},
                    mapped_case{"empty_segments_collapse", "//a///b", "a/b", false},
                    mapped_case{"trailing_dot_dot_names_directory", "/a/b/..", "a", true},
                    mapped_case{"trailing_dot_names_directory", "/a/.", "a", true},
                    mapped_case{"back_to_root", "/a/..", "", true},
                    mapped_case{"two_levels_back", "/a/b/../../c", "c", false},
                    mapped_case{"encoded_dot_dot_inside_root", "/a/%2e%2e/b", "b", false},
                    mapped_case{"encoded_dot", "/%2e", "", true},
                    mapped_case{"three_dots_is_a_name", "/...", "...", false},
                    mapped_case{"dot_dot_prefix_is_a_name", "/..a", "..a", false},
                    mapped_case{"dot_dot_suffix_is_a_name", "/a..", "a..", false},
                    mapped_case{"hidden_file", "/.hidden", ".hidden", false},
                    mapped_case{"encoded_space", "/a%20b", "a b", false},
                    mapped_case{"encoded_question_mark", "/%3F", "?", false},
                    mapped_case{"encoded_percent", "/%25", "%", false},
                    mapped_case{"colon_and_at", "/a:b@c", "a:b@c", false},
                    mapped_case{"utf8_two_bytes", "/caf%C3%A9", "caf\xc3\xa9", false},
                    mapped_case{"utf8_lowercase_hex", "/caf%c3%a9", "caf\xc3\xa9", false},
                    mapped_case{"utf8_four_bytes", "/%F0%9F%98%80", "\xf0\x9f\x98\x80", false},
                    mapped_case{"utf8_last_code_point", "/%F4%8F%BF%BF", "\xf4\x8f\xbf\xbf", false},
                    mapped_case{"utf8_after_surrogates", "/%EE%80%80", "\xee\x80\x80", false},
                    mapped_case{"utf8_first_after_c1", "/%C2%A0", "\xc2\xa0", false}),
    case_name);

// ---------------------------------------------------------------------------------------------
// Traversal and smuggling attempts: the exact reason.

struct rejected_case {
  const char* name;
  std::string_view raw;
  safe_path_error expected;
};

class safe_path_rejected : public testing::TestWithParam<rejected_case> {};

TEST_P(safe_path_rejected, reports_the_reason) {
  const rejected_case& c = GetParam();
  const safe_path_result r = map_safe_path(c.raw);
  EXPECT_FALSE(r);
  EXPECT_EQ(r.error, c.expected) << describe(r.error);
  EXPECT_TRUE(r.path.relative.empty()) << "no partial result escapes";
}

INSTANTIATE_TEST_SUITE_P(
    traversal, safe_path_rejected,
    testing::Values(
        rejected_case{"dot_dot_above_root", "/../etc/passwd", safe_path_error::escapes_root},
        rejected_case{"encoded_dot_dot_above_root", "/%2e%2e/", safe_path_error::escapes_root},
        rejected_case{"mixed_encoded_dot_dot", "/.%2E/", safe_path_error::escapes_root},
        rejected_case{"encoded_dot_dot_and_slash", "/%2E%2E%2F", safe_path_error::encoded_slash},
        rejected_case{"encoded_climb_after_descent", "/a/%2e%2e/%2e%2e/x",
                      safe_path_error::escapes_root},
        rejected_case{"climb_after_return_to_root", "/a/../..", safe_path_error::escapes_root},
        rejected_case{"dot_dot_then_encoded_slash", "/..%2f", safe_path_error::encoded_slash},
        rejected_case{"encoded_slash_upper", "/a%2Fb", safe_path_error::encoded_slash},
        rejected_case{"overlong_dots", "/%c0%ae%c0%ae/", safe_path_error::invalid_utf8},
        rejected_case{"overlong_three_byte_dot", "/%e0%80%ae", safe_path_error::invalid_utf8},
        rejected_case{"overlong_slash", "/%c0%af", safe_path_error::invalid_utf8},
        rejected_case{"overlong_four_byte", "/%f0%80%80%ae", safe_path_error::invalid_utf8},
        rejected_case{"surrogate", "/%ED%A0%80", safe_path_error::invalid_utf8},
        rejected_case{"above_u10ffff", "/%F4%90%80%80", safe_path_error::invalid_utf8},
        rejected_case{"f5_lead", "/%F5%80%80%80", safe_path_error::invalid_utf8},
        rejected_case{"ff_octet", "/%FF", safe_path_error::invalid_utf8},
        rejected_case{"lone_continuation", "/%80", safe_path_error::invalid_utf8},
        rejected_case{"truncated_sequence", "/%C3", safe_path_error::invalid_utf8},
        rejected_case{"truncated_before_slash", "/%E2%82/x", safe_path_error::invalid_utf8},
        rejected_case{"bad_continuation", "/%C3%28", safe_path_error::invalid_utf8},
        rejected_case{"raw_backslashes", "/a\\..\\b", safe_path_error::backslash},
        rejected_case{"encoded_backslashes", "/a%5c..%5cb", safe_path_error::backslash},
        rejected_case{"encoded_backslash_upper", "/a%5C", safe_path_error::backslash},
        rejected_case{"encoded_nul", "/%00", safe_path_error::encoded_nul},
        rejected_case{"encoded_nul_after_name", "/index.html%00.txt", safe_path_error::encoded_nul},
        rejected_case{"raw_nul", "/a\0b"sv, safe_path_error::control_character},
        rejected_case{"raw_control", "/a\x01", safe_path_error::control_character},
        rejected_case{"encoded_newline", "/a%0a", safe_path_error::control_character},
        rejected_case{"encoded_del", "/%7F", safe_path_error::control_character},
        rejected_case{"encoded_c1_control", "/%C2%85", safe_path_error::control_character},
        rejected_case{"malformed_escape", "/%", safe_path_error::invalid_percent_encoding},
        rejected_case{"one_digit_escape", "/%2", safe_path_error::invalid_percent_encoding},
        rejected_case{"non_hex_escape", "/%g0", safe_path_error::invalid_percent_encoding},
        rejected_case{"raw_space", "/a b", safe_path_error::invalid_character},
        rejected_case{"raw_non_ascii", "/caf\xc3\xa9", safe_path_error::invalid_character},
        rejected_case{"query_left_in", "/a?b", safe_path_error::invalid_character},
        rejected_case{"empty", "", safe_path_error::not_absolute},
        rejected_case{"relative", "a/b", safe_path_error::not_absolute},
        rejected_case{"asterisk", "*", safe_path_error::not_absolute}),
    case_name);

TEST(safe_path, every_error_has_a_sentence) {
  for (int e = 0; e <= static_cast<int>(safe_path_error::escapes_root); ++e)
    EXPECT_FALSE(describe(static_cast<safe_path_error>(e)).empty());
  EXPECT_EQ(describe(safe_path_error::escapes_root), "path climbs above the document root");
}

}  // namespace
}  // namespace herald::core
