#include <herald/core/http_date.hpp>
#include <herald/server/preconditions.hpp>

namespace herald::server {

namespace {

using std::chrono::sys_seconds;

// RFC 9110 §13.1.1: the If-Match condition.
bool if_match_holds(std::string_view value, const current_state& current) {
  const core::entity_tag_list list = core::parse_entity_tag_list(value);
  if (!current.has_representation) return false;
  if (list.is_any()) return true;
  if (list.is_malformed() || !current.etag) return false;
  return list.contains(*current.etag, core::etag_comparison::strong);
}

// RFC 9110 §13.1.2: the If-None-Match condition. "Otherwise, the condition is true": a value
// that is neither "*" nor a list of tags excludes nothing.
bool if_none_match_holds(std::string_view value, const current_state& current) {
  const core::entity_tag_list list = core::parse_entity_tag_list(value);
  if (!current.has_representation || list.is_malformed()) return true;
  if (list.is_any()) return false;
  if (!current.etag) return true;
  return !list.contains(*current.etag, core::etag_comparison::weak);
}

// The date of If-Modified-Since or If-Unmodified-Since when the condition is to be evaluated:
// one valid HTTP-date, and a modification date to compare it with (RFC 9110 §13.1.3, §13.1.4).
std::optional<sys_seconds> comparable_date(std::string_view value, const current_state& current,
                                           sys_seconds now) {
  if (!current.has_representation || !current.last_modified) return std::nullopt;
  return core::parse_http_date(value, now);
}

}  // namespace

std::string_view to_string(precondition_step s) {
  switch (s) {
    case precondition_step::if_match:
      return "if_match";
    case precondition_step::if_unmodified_since:
      return "if_unmodified_since";
    case precondition_step::if_none_match:
      return "if_none_match";
    case precondition_step::if_modified_since:
      return "if_modified_since";
  }
  return {};
}

std::string_view to_string(precondition_outcome o) {
  switch (o) {
    case precondition_outcome::proceed:
      return "proceed";
    case precondition_outcome::not_modified:
      return "not_modified";
    case precondition_outcome::failed:
      return "failed";
  }
  return {};
}

precondition_result evaluate_preconditions(const conditional_fields& fields,
                                           const current_state& current, bool get_or_head,
                                           sys_seconds now) {
  precondition_result result;
  auto evaluated = [&result](precondition_step s) { result.evaluated = result.evaluated | s; };

  // Step 1.
  if (fields.if_match) {
    evaluated(precondition_step::if_match);
    if (!if_match_holds(*fields.if_match, current)) {
      result.outcome = precondition_outcome::failed;
      return result;
    }
  } else if (fields.if_unmodified_since) {
    // Step 2; RFC 9110 §13.1.4: ignored when If-Match is present.
    if (auto date = comparable_date(*fields.if_unmodified_since, current, now)) {
      evaluated(precondition_step::if_unmodified_since);
      if (*current.last_modified > *date) {
        result.outcome = precondition_outcome::failed;
        return result;
      }
    }
  }

  // Step 3.
  if (fields.if_none_match) {
    evaluated(precondition_step::if_none_match);
    if (!if_none_match_holds(*fields.if_none_match, current)) {
      result.outcome =
          get_or_head ? precondition_outcome::not_modified : precondition_outcome::failed;
    }
    return result;
  }

  // Step 4; RFC 9110 §13.1.3: only for GET and HEAD, and (above) only without If-None-Match.
  if (get_or_head && fields.if_modified_since) {
    if (auto date = comparable_date(*fields.if_modified_since, current, now)) {
      evaluated(precondition_step::if_modified_since);
      if (*current.last_modified <= *date) result.outcome = precondition_outcome::not_modified;
    }
  }
  return result;
}

bool if_range_holds(std::string_view if_range, const current_state& current, sys_seconds now) {
  if (!current.has_representation) return false;
  // RFC 9110 §13.1.5: an entity-tag begins with DQUOTE or W/, an HTTP-date with a day name.
  if (auto tag = core::parse_entity_tag(if_range))
    return current.etag && core::strong_match(*tag, *current.etag);
  const std::optional<sys_seconds> date = core::parse_http_date(if_range, now);
  if (!date || !current.last_modified || *date != *current.last_modified) return false;
  // RFC 9110 §8.8.2.2: a modification date is strong only if the representation cannot have
  // changed twice within the second it names, i.e. that second is over.
  return *current.last_modified + std::chrono::seconds{1} <= now;
}

}  // namespace herald::server
