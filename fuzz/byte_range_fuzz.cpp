// Range and Content-Range: the resolution of any field value against any length stays within
// the contract of range_resolution, agrees with the two-step path and with the specs it came
// from, and Content-Range values survive format -> parse.
//
// Input layout: byte 0 picks the representation length, byte 1 the limits, the rest is the
// field value (tried both as a Range and as a Content-Range value).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <herald/core/byte_range.hpp>

#include "fuzz_support.hpp"

namespace {

using namespace herald::core;
using herald::fuzz::check;

std::uint64_t pick_length(std::uint8_t selector) {
  if (selector < 64) return selector;                   // 0..63: tiny, including empty
  if (selector < 128) return 10000;                     // the RFC 9110 §14.1.2 examples
  if (selector < 192) return 1000 * (selector - 127u);  // mid-sized
  return UINT64_MAX - (selector - 192u);                // at the top of the range
}

range_limits pick_limits(std::uint8_t selector) {
  if (selector == 0) return {};
  return {static_cast<std::size_t>(selector & 0x0f),
          static_cast<std::uint64_t>(selector >> 4) * 10};
}

// What RFC 9110 §14.1.2 says one spec selects, or nothing if unsatisfiable (or empty).
std::optional<byte_range> oracle(const range_spec& spec, std::uint64_t length) {
  if (length == 0) return std::nullopt;
  if (spec.kind == range_spec_kind::suffix_range) {
    if (spec.suffix_length == 0) return std::nullopt;
    return byte_range{length - std::min(spec.suffix_length, length), length - 1};
  }
  if (spec.first >= length) return std::nullopt;
  return byte_range{spec.first, std::min(spec.last.value_or(length - 1), length - 1)};
}

bool contains(byte_range outer, byte_range inner) {
  return outer.first <= inner.first && inner.last <= outer.last;
}

// A canonical Range value for the specs, to check that parsing is stable.
std::string canonical(const std::vector<range_spec>& specs) {
  std::string out = "bytes=";
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (i > 0) out += ',';
    const range_spec& s = specs[i];
    if (s.kind == range_spec_kind::suffix_range) {
      out += '-' + std::to_string(s.suffix_length);
    } else {
      out += std::to_string(s.first) + '-';
      if (s.last) out += std::to_string(*s.last);
    }
  }
  return out;
}

void check_round_trip(const content_range& value) {
  char buffer[content_range_max_size];
  std::string_view text = format_content_range(value, buffer);
  check(!text.empty() == value.valid());
  check(text == format_content_range(value));
  if (text.empty()) return;
  auto parsed = parse_content_range(text);
  check(parsed.has_value() && *parsed == value);
}

void check_resolution(const range_resolution& r, std::uint64_t length, const range_limits& limits) {
  switch (r.decision) {
    case range_decision::ignore:
      check(r.reason != range_ignore_reason::none && r.ranges.empty());
      return;
    case range_decision::unsatisfiable:
      check(r.reason == range_ignore_reason::none && r.ranges.empty());
      return;
    case range_decision::partial:
      break;
  }
  check(r.reason == range_ignore_reason::none);
  check(!r.ranges.empty() && r.ranges.size() <= limits.max_ranges);
  std::uint64_t total = 0;
  for (byte_range range : r.ranges) {
    check(range.first <= range.last && range.last < length);
    check(range.size() <= length - total);
    total += range.size();
  }
  // Sorted by offset, the parts neither overlap nor sit within the coalescing gap.
  std::vector<byte_range> sorted = r.ranges;
  std::sort(sorted.begin(), sorted.end(),
            [](byte_range a, byte_range b) { return a.first < b.first; });
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    check(sorted[i].first > sorted[i - 1].last);
    check(sorted[i].first - sorted[i - 1].last - 1 > limits.max_coalesce_gap);
  }
}

// The resolution agrees with what each spec selects on its own.
void check_against_specs(const range_resolution& r, const std::vector<range_spec>& specs,
                         std::uint64_t length) {
  bool any_satisfiable = false;
  bool empty_suffix = false;
  bool excessive = false;  // the selected ranges add up to more than the representation
  std::uint64_t total = 0;
  std::vector<std::size_t> earliest(r.ranges.size(), SIZE_MAX);
  for (std::size_t i = 0; i < specs.size(); ++i) {
    auto selected = oracle(specs[i], length);
    if (length == 0 && specs[i].kind == range_spec_kind::suffix_range && specs[i].suffix_length > 0)
      empty_suffix = true;
    if (!selected) continue;
    any_satisfiable = true;
    if (selected->size() > length - total) excessive = true;
    if (!excessive) total += selected->size();
    if (r.decision != range_decision::partial) continue;
    // Every selected byte is sent, inside exactly one part.
    std::size_t holders = 0;
    for (std::size_t p = 0; p < r.ranges.size(); ++p) {
      if (!contains(r.ranges[p], *selected)) continue;
      ++holders;
      earliest[p] = std::min(earliest[p], i);
    }
    check(holders == 1);
  }
  check(excessive == (r.reason == range_ignore_reason::excessive_total));
  if (r.decision == range_decision::unsatisfiable) check(!any_satisfiable && !empty_suffix);
  if (r.decision == range_decision::partial) {
    check(any_satisfiable);
    // No part holds bytes nobody asked for beyond the coalescing gaps: each part starts at the
    // first byte of a selected range, and parts follow the order of their earliest spec.
    for (std::size_t p = 0; p < r.ranges.size(); ++p) {
      bool starts_at_spec = false;
      for (const range_spec& spec : specs) {
        auto selected = oracle(spec, length);
        if (selected && selected->first == r.ranges[p].first) starts_at_spec = true;
      }
      check(starts_at_spec);
      check(earliest[p] != SIZE_MAX);
      if (p > 0) check(earliest[p - 1] < earliest[p]);
    }
  }
  if (r.decision == range_decision::ignore && r.reason == range_ignore_reason::empty_representation)
    check(length == 0 && empty_suffix);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint64_t length = pick_length(data[0]);
  const range_limits limits = pick_limits(data[1]);
  std::string_view field(reinterpret_cast<const char*>(data + 2), size - 2);

  range_resolution evaluated = evaluate_range(field, length, limits);
  check_resolution(evaluated, length, limits);

  std::vector<range_spec> specs;
  range_parse_status status = parse_range(field, specs);
  if (status == range_parse_status::ok) {
    check(!specs.empty());
    range_resolution resolved = resolve_ranges(specs, length, limits);
    check(resolved.decision == evaluated.decision && resolved.reason == evaluated.reason &&
          resolved.ranges == evaluated.ranges);
    check_against_specs(evaluated, specs, length);

    std::vector<range_spec> reparsed;
    check(parse_range(canonical(specs), reparsed) == range_parse_status::ok && reparsed == specs);
  } else {
    check(specs.empty());
    check(evaluated.decision == range_decision::ignore);
    check(evaluated.reason == (status == range_parse_status::malformed
                                   ? range_ignore_reason::malformed
                                   : range_ignore_reason::unknown_unit));
  }

  for (byte_range range : evaluated.ranges) check_round_trip(content_range::partial(range, length));
  check_round_trip(content_range::unsatisfied(length));

  if (auto parsed = parse_content_range(field)) {
    check(parsed->valid());
    check_round_trip(*parsed);
  }
  return 0;
}
