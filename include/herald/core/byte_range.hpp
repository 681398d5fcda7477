#pragma once
// Byte ranges (RFC 9110 §14): the Range request field, its resolution against a representation,
// and the Content-Range response field. Pure functions shared by the static file server, the
// WebDAV handler and the client; nothing here does I/O or throws on malformed input.
//
// A server uses them in two steps, or in one with evaluate_range:
//
//   Range: bytes=0-499, -100        parse_range   -> [int-range 0-499, suffix-range 100]
//                                   resolve_ranges against length 10000
//                                                 -> partial [0-499], [9900-9999]
//
// and the decision picks the status: ignore -> 200 with the whole representation,
// unsatisfiable -> 416 with `Content-Range: bytes */length`, partial -> 206.
// Preconditions and If-Range are decided before any of this, by the resource engine.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace herald::core {

// The two forms of a bytes range-spec (RFC 9110 §14.1.1, §14.1.2).
enum class range_spec_kind : std::uint8_t {
  int_range,     // "first-last" or "first-"
  suffix_range,  // "-length": the last `length` bytes
};

// One range-spec as the client wrote it, not yet related to any representation.
struct range_spec {
  range_spec_kind kind = range_spec_kind::int_range;
  std::uint64_t first = 0;            // int_range: first-pos
  std::optional<std::uint64_t> last;  // int_range: last-pos, absent for "first-"
  std::uint64_t suffix_length = 0;    // suffix_range: suffix-length

  static constexpr range_spec int_range(std::uint64_t first,
                                        std::optional<std::uint64_t> last = std::nullopt) {
    return {range_spec_kind::int_range, first, last, 0};
  }
  static constexpr range_spec suffix_range(std::uint64_t length) {
    return {range_spec_kind::suffix_range, 0, std::nullopt, length};
  }
  friend constexpr bool operator==(const range_spec&, const range_spec&) = default;
};

enum class range_parse_status : std::uint8_t {
  ok,
  // A range unit other than "bytes". RFC 9110 §14.2: the server MUST ignore the field.
  unknown_unit,
  // Not a ranges-specifier, or an invalid one (e.g. "bytes=1-0", a number past 2^64-1).
  // RFC 9110 §14.2 lets a server ignore or reject it; herald ignores it, as nginx and Go do,
  // so the client gets the whole representation rather than an error about its own header.
  malformed,
};

// Parses a Range field value: range-unit "=" range-set (RFC 9110 §14.1.1), the unit compared
// case-insensitively, the set a list by RFC 9110 §5.6.1 (OWS around commas, empty elements
// skipped, at least one element). `specs` is cleared, then on `ok` holds the specs in the
// order written (at least one); on any other status it is left empty. Reusing one vector keeps
// this allocation-free once it has grown to fit.
range_parse_status parse_range(std::string_view field_value, std::vector<range_spec>& specs);

// A satisfiable byte range [first, last], both inclusive, with first <= last.
struct byte_range {
  std::uint64_t first = 0;
  std::uint64_t last = 0;

  // The number of bytes selected. Never wraps for a range resolved against, or parsed with, a
  // representation length, since then last < length <= 2^64-1.
  constexpr std::uint64_t size() const { return last - first + 1; }
  friend constexpr bool operator==(byte_range, byte_range) = default;
};

// Defences against abusive range sets (RFC 9110 §14.2, §17.15).
struct range_limits {
  // The most ranges a 206 may carry after coalescing; a set needing more is ignored, as Apache's
  // MaxRanges does. 0 ignores every satisfiable set (an unsatisfiable one is still 416).
  std::size_t max_ranges = 100;
  // Ranges that overlap, touch, or are separated by at most this many bytes are merged into one
  // (RFC 9110 §15.3.7.2 allows it when the gap is smaller than the overhead of another part;
  // a multipart/byteranges part header is about 80 bytes).
  std::uint64_t max_coalesce_gap = 80;
};

enum class range_decision : std::uint8_t {
  ignore,         // 200 with the whole representation, as if Range were absent
  unsatisfiable,  // 416 with `Content-Range: bytes */length`
  partial,        // 206 with `ranges`
};

// Why a Range field was ignored; `none` for the other decisions. Meant for tracing.
enum class range_ignore_reason : std::uint8_t {
  none,
  unknown_unit,  // range_parse_status::unknown_unit
  malformed,     // range_parse_status::malformed
  // The representation is empty and the set holds a suffix-range with a non-zero length, which
  // RFC 9110 §14.1.1 calls satisfiable but which selects no byte, so no Content-Range can
  // describe it (RFC 9110 §14.4). RFC 9110 §14.2 lets a server ignore Range for an empty
  // representation: 200 with no content.
  empty_representation,
  too_many_ranges,  // more than range_limits::max_ranges after coalescing
  // The ranges add up to more bytes than the representation holds (before coalescing): a
  // broken client or an amplification attempt (RFC 9110 §17.15). Go's net/http ignores these.
  excessive_total,
};

std::string_view to_string(range_decision d);       // "ignore", "unsatisfiable", "partial"
std::string_view to_string(range_ignore_reason r);  // "none", "unknown unit", "malformed", ...

// The answer to a Range field for one representation. Exactly one of:
//   decision == ignore         reason != none, ranges empty
//   decision == unsatisfiable  reason == none, ranges empty
//   decision == partial        reason == none, 1 <= ranges.size() <= max_ranges, every range
//                              within [0, length), no two ranges overlapping or closer than
//                              max_coalesce_gap bytes
// Partial ranges come in the order their earliest range-spec was written, as RFC 9110
// §15.3.7.2 asks of the parts of a multipart response (after coalescing, which that section
// allows regardless of order).
struct range_resolution {
  range_decision decision = range_decision::ignore;
  range_ignore_reason reason = range_ignore_reason::none;
  std::vector<byte_range> ranges;
};

// Resolves parsed specs against a representation of `length` bytes (RFC 9110 §14.1.2):
// - int-range: unsatisfiable if first >= length; otherwise last is clamped to length - 1
//   (absent means length - 1);
// - suffix-range: "-0" is unsatisfiable; a suffix longer than the representation selects all;
// - the set is satisfiable if at least one spec is; the unsatisfiable ones are dropped.
// Length 0: every int-range and "-0" is unsatisfiable, so a set of only those is 416
// `bytes */0`; a set with a non-zero suffix-range is ignored (200), see empty_representation.
// An empty `specs` is ignored as malformed. `into.ranges` is reused: a single satisfiable range
// costs no allocation once it has capacity; coalescing several takes one scratch buffer.
void resolve_ranges(std::span<const range_spec> specs, std::uint64_t length, range_resolution& into,
                    const range_limits& limits = {});
range_resolution resolve_ranges(std::span<const range_spec> specs, std::uint64_t length,
                                const range_limits& limits = {});

// parse_range then resolve_ranges, without keeping the specs: unknown_unit and malformed
// become `ignore` with that reason. What a server calls with the Range field value.
void evaluate_range(std::string_view field_value, std::uint64_t length, range_resolution& into,
                    const range_limits& limits = {});
range_resolution evaluate_range(std::string_view field_value, std::uint64_t length,
                                const range_limits& limits = {});

// A Content-Range field value (RFC 9110 §14.4), unit "bytes":
//   bytes first-last/length   range and complete_length        (206)
//   bytes first-last/*        range, complete length unknown   (206 of a growing resource)
//   bytes */length            complete_length alone            (416, unsatisfied-range)
// Valid when at least one member is present, first <= last, last < complete_length when both
// are known, and last < 2^64-1 when the length is unknown (no representation of at most
// 2^64-1 bytes has a byte at that offset).
struct content_range {
  std::optional<byte_range> range;
  std::optional<std::uint64_t> complete_length;

  static constexpr content_range partial(byte_range r, std::uint64_t length) { return {r, length}; }
  static constexpr content_range unsatisfied(std::uint64_t length) {
    return {std::nullopt, length};
  }
  constexpr bool valid() const {
    if (!range) return complete_length.has_value();
    if (range->first > range->last) return false;
    return complete_length ? range->last < *complete_length : range->last != UINT64_MAX;
  }
  friend constexpr bool operator==(const content_range&, const content_range&) = default;
};

// "bytes " + 20 digits + "-" + 20 digits + "/" + 20 digits.
inline constexpr std::size_t content_range_max_size = 68;

// Writes `value` into `buffer` and returns a view of what was written (into the caller's
// buffer, valid while it is), or an empty view if `value` is not valid(). No allocation.
std::string_view format_content_range(const content_range& value,
                                      std::span<char, content_range_max_size> buffer);
// Same, as a string; empty if `value` is not valid().
std::string format_content_range(const content_range& value);

// Parses a Content-Range field value, as a client checks a 206 or 416 (RFC 9110 §14.4). The
// unit is compared case-insensitively; any unit but "bytes" gives nullopt, since a recipient
// cannot recombine parts it does not understand. Invalid values (first > last,
// last >= complete length) give nullopt: RFC 9110 §14.4 forbids recombining them.
std::optional<content_range> parse_content_range(std::string_view field_value);

}  // namespace herald::core
