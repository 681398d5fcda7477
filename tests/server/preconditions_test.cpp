// Tests of the conditional request evaluation (src/server/preconditions.cpp): RFC 9110 §13.2.2
// order, the comparison each field uses, the cases where a field is ignored, and If-Range.

#include <chrono>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <optional>
#include <string_view>

#include <herald/server/preconditions.hpp>

#include "support/test_cases.hpp"

namespace herald::server {
namespace {

using namespace std::chrono_literals;
using herald::test::case_name;
using herald::test::PrintTo;
using std::chrono::sys_seconds;

// Wed, 10 Jan 2024 12:00:00 GMT: the response's Date in every case.
constexpr sys_seconds now{std::chrono::sys_days{std::chrono::year{2024} / 1 / 10} + 12h};
// The representation's Last-Modified: an hour earlier.
constexpr sys_seconds modified = now - 1h;

constexpr std::string_view at_modified = "Wed, 10 Jan 2024 11:00:00 GMT";
constexpr std::string_view before_modified = "Wed, 10 Jan 2024 10:59:59 GMT";
constexpr std::string_view after_modified = "Wed, 10 Jan 2024 11:00:01 GMT";
constexpr std::string_view at_now = "Wed, 10 Jan 2024 12:00:00 GMT";

using enum precondition_outcome;
constexpr precondition_steps none{};
constexpr precondition_steps im{precondition_step::if_match};
constexpr precondition_steps ius{precondition_step::if_unmodified_since};
constexpr precondition_steps inm{precondition_step::if_none_match};
constexpr precondition_steps ims{precondition_step::if_modified_since};

// The representation the conditions are compared with.
struct state {
  bool exists = true;
  std::optional<std::string_view> etag = R"("v1")";  // as an ETag field value
  std::optional<sys_seconds> last_modified = modified;

  current_state get() const {
    current_state s;
    s.has_representation = exists;
    if (etag) s.etag = core::parse_entity_tag(*etag);
    s.last_modified = last_modified;
    return s;
  }
};

struct precondition_case {
  std::string_view name;
  conditional_fields fields;
  precondition_outcome outcome;
  precondition_steps evaluated;
  bool get_or_head = true;
  state current = {};
};

class PreconditionEvaluation : public testing::TestWithParam<precondition_case> {};

TEST_P(PreconditionEvaluation, EvaluatesInRfc9110Order) {
  const precondition_case& c = GetParam();
  const precondition_result r =
      evaluate_preconditions(c.fields, c.current.get(), c.get_or_head, now);
  EXPECT_EQ(to_string(r.outcome), to_string(c.outcome));
  EXPECT_EQ(r.evaluated.bits(), c.evaluated.bits());
}

conditional_fields if_match(std::string_view v) {
  return {.if_match = v};
}
conditional_fields if_none_match(std::string_view v) {
  return {.if_none_match = v};
}
conditional_fields if_modified_since(std::string_view v) {
  return {.if_modified_since = v};
}
conditional_fields if_unmodified_since(std::string_view v) {
  return {.if_unmodified_since = v};
}

constexpr state missing{.exists = false, .etag = std::nullopt, .last_modified = std::nullopt};
constexpr state weak_tag{.etag = R"(W/"v1")"};
constexpr state no_tag{.etag = std::nullopt};
constexpr state no_date{.last_modified = std::nullopt};

// RFC 9110 §13.1.1: If-Match, strong comparison.
INSTANTIATE_TEST_SUITE_P(
    IfMatch, PreconditionEvaluation,
    testing::Values(
        precondition_case{"absent_fields_proceed", {}, proceed, none},
        precondition_case{"same_tag", if_match(R"("v1")"), proceed, im},
        precondition_case{"tag_in_list", if_match(R"("x", "v1")"), proceed, im},
        precondition_case{"other_tag", if_match(R"("v2")"), failed, im},
        precondition_case{"weak_field_tag_never_matches", if_match(R"(W/"v1")"), failed, im},
        precondition_case{"weak_current_tag_never_matches", if_match(R"("v1")"), failed, im, true,
                          weak_tag},
        precondition_case{"star_with_representation", if_match("*"), proceed, im},
        precondition_case{"star_without_representation", if_match("*"), failed, im, false, missing},
        precondition_case{"tag_without_representation", if_match(R"("v1")"), failed, im, false,
                          missing},
        precondition_case{"star_without_entity_tag", if_match("*"), proceed, im, true, no_tag},
        precondition_case{"tag_without_entity_tag", if_match(R"("v1")"), failed, im, true, no_tag},
        // "Otherwise, the condition is false": neither "*" nor a list of tags.
        precondition_case{"malformed_fails", if_match("v1"), failed, im},
        precondition_case{"star_mixed_with_tag_fails", if_match(R"(*, "v1")"), failed, im},
        precondition_case{"empty_list_fails", if_match(""), failed, im},
        precondition_case{"failure_also_for_put", if_match(R"("v2")"), failed, im, false}),
    case_name);

// RFC 9110 §13.1.4: If-Unmodified-Since, ignored with If-Match or without a valid date.
INSTANTIATE_TEST_SUITE_P(
    IfUnmodifiedSince, PreconditionEvaluation,
    testing::Values(
        precondition_case{"not_modified_since", if_unmodified_since(after_modified), proceed, ius},
        precondition_case{"modified_at_the_date_holds", if_unmodified_since(at_modified), proceed,
                          ius},
        precondition_case{"modified_after_the_date", if_unmodified_since(before_modified), failed,
                          ius},
        precondition_case{"ignored_with_if_match",
                          {.if_match = R"("v1")", .if_unmodified_since = before_modified},
                          proceed,
                          im},
        precondition_case{"ignored_when_invalid", if_unmodified_since("yesterday"), proceed, none},
        precondition_case{"ignored_when_lowercase_gmt",
                          if_unmodified_since("Wed, 10 Jan 2024 10:59:59 gmt"), proceed, none},
        // Two field lines joined into a list are not one HTTP-date.
        precondition_case{
            "ignored_when_a_list",
            if_unmodified_since("Wed, 10 Jan 2024 10:59:59 GMT, Wed, 10 Jan 2024 10:59:59 GMT"),
            proceed, none},
        precondition_case{"ignored_without_modification_date", if_unmodified_since(before_modified),
                          proceed, none, true, no_date},
        precondition_case{"ignored_without_representation", if_unmodified_since(before_modified),
                          proceed, none, false, missing},
        precondition_case{"obsolete_rfc850_date",
                          if_unmodified_since("Wednesday, 10-Jan-24 10:59:59 GMT"), failed, ius},
        precondition_case{"obsolete_asctime_date", if_unmodified_since("Wed Jan 10 10:59:59 2024"),
                          failed, ius}),
    case_name);

// RFC 9110 §13.1.2: If-None-Match, weak comparison; 304 for GET and HEAD, 412 otherwise.
INSTANTIATE_TEST_SUITE_P(
    IfNoneMatch, PreconditionEvaluation,
    testing::Values(
        precondition_case{"same_tag_get", if_none_match(R"("v1")"), not_modified, inm},
        precondition_case{"same_tag_put", if_none_match(R"("v1")"), failed, inm, false},
        precondition_case{"tag_in_list", if_none_match(R"("a", "v1", "b")"), not_modified, inm},
        precondition_case{"weak_field_tag_matches", if_none_match(R"(W/"v1")"), not_modified, inm},
        precondition_case{"weak_current_tag_matches", if_none_match(R"("v1")"), not_modified, inm,
                          true, weak_tag},
        precondition_case{"other_tag", if_none_match(R"("v2")"), proceed, inm},
        precondition_case{"star_get", if_none_match("*"), not_modified, inm},
        precondition_case{"star_put", if_none_match("*"), failed, inm, false},
        // A PUT that must create: "*" holds when there is no current representation.
        precondition_case{"star_without_representation", if_none_match("*"), proceed, inm, false,
                          missing},
        precondition_case{"tag_without_entity_tag", if_none_match(R"("v1")"), proceed, inm, true,
                          no_tag},
        // "Otherwise, the condition is true."
        precondition_case{"malformed_holds", if_none_match("v1"), proceed, inm}),
    case_name);

// RFC 9110 §13.1.3: If-Modified-Since, GET and HEAD only, ignored with If-None-Match.
INSTANTIATE_TEST_SUITE_P(
    IfModifiedSince, PreconditionEvaluation,
    testing::Values(
        precondition_case{"not_modified_since", if_modified_since(after_modified), not_modified,
                          ims},
        precondition_case{"modified_at_the_date_is_not_modified", if_modified_since(at_modified),
                          not_modified, ims},
        precondition_case{"modified_since", if_modified_since(before_modified), proceed, ims},
        precondition_case{"ignored_for_other_methods", if_modified_since(after_modified), proceed,
                          none, false},
        precondition_case{"ignored_when_invalid", if_modified_since("2024-01-10"), proceed, none},
        precondition_case{
            "ignored_when_a_list",
            if_modified_since("Wed, 10 Jan 2024 11:00:01 GMT, Wed, 10 Jan 2024 11:00:01 GMT"),
            proceed, none},
        precondition_case{"ignored_without_modification_date", if_modified_since(after_modified),
                          proceed, none, true, no_date},
        precondition_case{"obsolete_rfc850_date",
                          if_modified_since("Wednesday, 10-Jan-24 11:00:01 GMT"), not_modified,
                          ims},
        precondition_case{"obsolete_asctime_date", if_modified_since("Wed Jan 10 11:00:01 2024"),
                          not_modified, ims},
        // RFC 9110 gives a future date no special meaning: the comparison alone decides.
        precondition_case{"future_date", if_modified_since("Thu, 11 Jan 2024 12:00:00 GMT"),
                          not_modified, ims},
        precondition_case{"day_name_contradicting_date_is_invalid",
                          if_modified_since("Mon, 10 Jan 2024 11:00:01 GMT"), proceed, none}),
    case_name);

// The order of RFC 9110 §13.2.2 when several fields are present.
INSTANTIATE_TEST_SUITE_P(
    Order, PreconditionEvaluation,
    testing::Values(
        // If-None-Match present: If-Modified-Since is ignored, whatever it says.
        precondition_case{"if_none_match_mismatch_overrides_if_modified_since",
                          {.if_none_match = R"("v2")", .if_modified_since = after_modified},
                          proceed,
                          inm},
        precondition_case{"if_none_match_match_overrides_if_modified_since",
                          {.if_none_match = R"("v1")", .if_modified_since = before_modified},
                          not_modified,
                          inm},
        precondition_case{"malformed_if_none_match_still_disables_if_modified_since",
                          {.if_none_match = "junk", .if_modified_since = after_modified},
                          proceed,
                          inm},
        precondition_case{"if_match_failure_before_if_none_match",
                          {.if_match = R"("v2")", .if_none_match = R"("v1")"},
                          failed,
                          im},
        precondition_case{"if_match_then_if_none_match",
                          {.if_match = R"("v1")", .if_none_match = R"("v1")"},
                          not_modified,
                          im | inm},
        precondition_case{"if_unmodified_since_failure_before_if_none_match",
                          {.if_none_match = R"("v1")", .if_unmodified_since = before_modified},
                          failed,
                          ius},
        precondition_case{
            "if_unmodified_since_then_if_modified_since",
            {.if_modified_since = after_modified, .if_unmodified_since = after_modified},
            not_modified,
            ius | ims},
        precondition_case{"all_four_hold",
                          {.if_match = R"("v1")",
                           .if_none_match = R"("v2")",
                           .if_modified_since = after_modified,
                           .if_unmodified_since = before_modified},
                          proceed,
                          im | inm}),
    case_name);

TEST(PreconditionFields, GuardsWrite) {
  EXPECT_FALSE(conditional_fields{}.guards_write());
  EXPECT_FALSE(if_modified_since(at_modified).guards_write());
  EXPECT_TRUE(if_match("*").guards_write());
  EXPECT_TRUE(if_none_match("*").guards_write());
  EXPECT_TRUE(if_unmodified_since(at_modified).guards_write());
}

TEST(PreconditionFields, Names) {
  EXPECT_EQ(to_string(precondition_step::if_match), "if_match");
  EXPECT_EQ(to_string(precondition_step::if_unmodified_since), "if_unmodified_since");
  EXPECT_EQ(to_string(precondition_step::if_none_match), "if_none_match");
  EXPECT_EQ(to_string(precondition_step::if_modified_since), "if_modified_since");
  EXPECT_EQ(to_string(proceed), "proceed");
  EXPECT_EQ(to_string(not_modified), "not_modified");
  EXPECT_EQ(to_string(failed), "failed");
}

// ---------------------------------------------------------------------------------------------
// If-Range (RFC 9110 §13.1.5)

struct if_range_case {
  std::string_view name;
  std::string_view if_range;
  bool holds;
  state current = {};
};

class IfRangeCondition : public testing::TestWithParam<if_range_case> {};

TEST_P(IfRangeCondition, Holds) {
  const if_range_case& c = GetParam();
  EXPECT_EQ(if_range_holds(c.if_range, c.current.get(), now), c.holds);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc9110, IfRangeCondition,
    testing::Values(
        if_range_case{"same_strong_tag", R"("v1")", true},
        if_range_case{"other_tag", R"("v2")", false},
        if_range_case{"weak_field_tag", R"(W/"v1")", false},
        if_range_case{"weak_current_tag", R"("v1")", false, weak_tag},
        if_range_case{"tag_without_entity_tag", R"("v1")", false, no_tag},
        if_range_case{"list_is_not_one_validator", R"("v1", "v1")", false},
        if_range_case{"same_date_a_second_old_or_more", at_modified, true},
        if_range_case{"same_date_in_obsolete_form", "Wednesday, 10-Jan-24 11:00:00 GMT", true},
        if_range_case{"other_date", after_modified, false},
        if_range_case{"earlier_date", before_modified, false},
        if_range_case{"date_without_modification_date", at_modified, false, no_date},
        // Last-Modified equal to Date: it may change again within that second, so it is weak.
        if_range_case{"date_of_this_second_is_weak", at_now, false, {.last_modified = now}},
        if_range_case{"date_one_second_old_is_strong",
                      "Wed, 10 Jan 2024 11:59:59 GMT",
                      true,
                      {.last_modified = now - 1s}},
        if_range_case{"malformed", "yesterday", false}, if_range_case{"empty", "", false},
        if_range_case{"without_representation", R"("v1")", false, missing}),
    case_name);

}  // namespace
}  // namespace herald::server
