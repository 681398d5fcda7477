#pragma once
// Conditional requests (RFC 9110 §13): the one function that evaluates If-Match,
// If-Unmodified-Since, If-None-Match and If-Modified-Since, in the order of RFC 9110 §13.2.2,
// and the If-Range condition (§13.1.5). Static files, WebDAV and the proxy share them.
//
// Pure functions: no I/O, no allocation, nothing thrown. The caller decides whether
// preconditions apply at all (RFC 9110 §13.2.1: not when the response without them would be
// neither 2xx nor 412, and not for OPTIONS, CONNECT or TRACE) and owns the Range step that
// follows a `proceed`.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include <herald/core/etag.hpp>
#include <herald/core/flag_set.hpp>

namespace herald::server {

// The request's conditional fields. Each is the whole field value, several field lines of one
// name joined with ", " (RFC 9110 §5.3), or std::nullopt when the request has no such field.
// A date field sent twice therefore arrives as a list, which is not one valid HTTP-date and is
// ignored (RFC 9110 §13.1.3, §13.1.4). Views into the caller's buffer.
struct conditional_fields {
  std::optional<std::string_view> if_match = std::nullopt;
  std::optional<std::string_view> if_none_match = std::nullopt;
  std::optional<std::string_view> if_modified_since = std::nullopt;
  std::optional<std::string_view> if_unmodified_since = std::nullopt;

  // Whether the request is conditional in a way that protects a write (RFC 6585 §3: what a 428
  // asks for). If-Modified-Since does not count: it applies to GET and HEAD only.
  bool guards_write() const {
    return if_match.has_value() || if_none_match.has_value() || if_unmodified_since.has_value();
  }
};

// What the conditions are compared with: the selected representation of the target resource.
struct current_state {
  // False for a target without a current representation (a PUT that would create it): then
  // If-Match fails, If-None-Match holds, and the date conditions are ignored.
  bool has_representation = true;
  std::optional<core::entity_tag> etag = std::nullopt;
  // Already no later than the response's Date (RFC 9110 §8.8.2.1): the value the client saw.
  std::optional<std::chrono::sys_seconds> last_modified = std::nullopt;
};

enum class precondition_outcome : std::uint8_t {
  proceed,       // every condition holds or was ignored: go on to Range and the method
  not_modified,  // 304 (GET or HEAD only)
  failed,        // 412
};

// The four conditions, as bits, in evaluation order.
enum class precondition_step : std::uint8_t {
  if_match = 1u << 0,
  if_unmodified_since = 1u << 1,
  if_none_match = 1u << 2,
  if_modified_since = 1u << 3,
};
using precondition_steps = core::flag_set<precondition_step>;

// "if_match", "if_unmodified_since", "if_none_match", "if_modified_since": names for traces.
std::string_view to_string(precondition_step s);
std::string_view to_string(precondition_outcome o);  // "proceed", "not_modified", "failed"

struct precondition_result {
  precondition_outcome outcome = precondition_outcome::proceed;
  // The conditions that were evaluated, i.e. present and not ignored. The last of them in
  // evaluation order decided a 304 or 412.
  precondition_steps evaluated{};
};

// RFC 9110 §13.2.2, for an origin server:
//   1. If-Match: false → 412. Strong comparison (§13.1.1); "*" holds when there is a current
//      representation; a malformed value holds for nothing, so it fails ("otherwise, the
//      condition is false").
//   2. If-Unmodified-Since, only without If-Match: false (modified after the date) → 412.
//      Ignored when the value is not one valid HTTP-date or there is no modification date
//      (§13.1.4).
//   3. If-None-Match: false → 304 for GET and HEAD, else 412. Weak comparison (§13.1.2); "*"
//      fails when there is a current representation; a malformed value fails for nothing, so it
//      holds.
//   4. If-Modified-Since, only for GET and HEAD without If-None-Match: false (not modified since
//      the date) → 304. Ignored when the value is not one valid HTTP-date or there is no
//      modification date (§13.1.3).
// `get_or_head` says whether the method is GET or HEAD. `now` resolves two-digit years of
// rfc850-dates (core::parse_http_date).
precondition_result evaluate_preconditions(const conditional_fields& fields,
                                           const current_state& current, bool get_or_head,
                                           std::chrono::sys_seconds now);

// RFC 9110 §13.1.5: whether the If-Range condition holds, so that the Range field is honoured;
// when it does not, the whole representation is sent (200). Call it only for a request with
// Range, on a resource that supports ranges (otherwise the field is ignored).
//   - An entity-tag holds when it matches the current tag by strong comparison: a weak tag
//     (which a client must not send) never does.
//   - An HTTP-date holds when it equals the Last-Modified and that date is a strong validator:
//     at least one second older than `now`, the response's Date (RFC 9110 §8.8.2.2), since two
//     changes within the second it names would share it.
//   - Anything else (malformed, a list from a repeated field, no validator to compare) does not.
bool if_range_holds(std::string_view if_range, const current_state& current,
                    std::chrono::sys_seconds now);

}  // namespace herald::server
