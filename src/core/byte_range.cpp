#include <algorithm>
#include <charconv>
#include <herald/core/byte_range.hpp>
#include <herald/core/syntax.hpp>

namespace herald::core {

namespace {

using syntax::iequals;
using syntax::is_digit;
using syntax::is_token;
using syntax::trim_ows;

// 1*DIGIT as an unsigned 64-bit value; nullopt when empty, not all digits, or past 2^64-1.
// RFC 9110 §14.1.1 sets no limit on the digits, so a value that does not fit is refused rather
// than wrapped: a wrapped first-pos would select bytes the client never asked for.
std::optional<std::uint64_t> parse_number(std::string_view digits) {
  if (digits.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : digits) {
    if (!is_digit(c)) return std::nullopt;
    auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

// range-spec = int-range / suffix-range (RFC 9110 §14.1.1); other-range is undefined for bytes,
// which makes the whole ranges-specifier invalid.
std::optional<range_spec> parse_spec(std::string_view element) {
  std::size_t dash = element.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  std::string_view first_text = element.substr(0, dash);
  std::string_view last_text = element.substr(dash + 1);
  if (first_text.empty()) {
    auto suffix = parse_number(last_text);
    if (!suffix) return std::nullopt;
    return range_spec::suffix_range(*suffix);
  }
  auto first = parse_number(first_text);
  if (!first) return std::nullopt;
  if (last_text.empty()) return range_spec::int_range(*first);
  auto last = parse_number(last_text);
  // RFC 9110 §14.1.1: an int-range whose last-pos is less than its first-pos is invalid.
  if (!last || *last < *first) return std::nullopt;
  return range_spec::int_range(*first, *last);
}

// Walks a Range field value and hands each range-spec to `on_spec` in the order written. A
// malformed element later in the list still makes the whole field malformed: the caller must
// discard whatever it received when the result is not `ok`.
template <class OnSpec>
range_parse_status for_each_spec(std::string_view field_value, OnSpec&& on_spec) {
  field_value = trim_ows(field_value);
  std::size_t equals = field_value.find('=');
  if (equals == std::string_view::npos) return range_parse_status::malformed;
  std::string_view unit = field_value.substr(0, equals);
  if (!is_token(unit)) return range_parse_status::malformed;
  // RFC 9110 §14.1: range units are compared case-insensitively.
  if (!iequals(unit, "bytes")) return range_parse_status::unknown_unit;

  std::string_view set = field_value.substr(equals + 1);
  bool any = false;
  for (;;) {
    std::size_t comma = set.find(',');
    // RFC 9110 §5.6.1.2: a recipient accepts empty list elements and OWS around the commas;
    // empty elements do not count towards the 1# minimum.
    std::string_view element = trim_ows(set.substr(0, comma));
    if (!element.empty()) {
      auto spec = parse_spec(element);
      if (!spec) return range_parse_status::malformed;
      on_spec(*spec);
      any = true;
    }
    if (comma == std::string_view::npos) break;
    set.remove_prefix(comma + 1);
  }
  return any ? range_parse_status::ok : range_parse_status::malformed;
}

void set_ignore(range_resolution& into, range_ignore_reason reason) {
  into.decision = range_decision::ignore;
  into.reason = reason;
  into.ranges.clear();
}

// A satisfiable range with the position of the earliest range-spec that fed it.
struct ordered_range {
  byte_range range;
  std::size_t order;
};

// Takes range-specs one at a time in the order written, keeping the satisfiable ranges in
// `into.ranges`, and decides at finish().
class resolver {
 public:
  resolver(std::uint64_t length, const range_limits& limits, range_resolution& into)
      : length_(length), limits_(limits), into_(into) {
    into_.ranges.clear();
  }

  void add(const range_spec& spec) {
    if (excessive_) return;
    std::optional<byte_range> range = satisfy(spec);
    if (!range) return;
    // Go's guard (net/http fs.go): ranges adding up to more than the representation mean a
    // broken client or an attempt to make the server send the same bytes many times.
    // total_ <= length_ holds throughout, so the subtraction cannot wrap.
    if (range->size() > length_ - total_) {
      excessive_ = true;
      return;
    }
    total_ += range->size();
    into_.ranges.push_back(*range);
  }

  void finish() {
    if (excessive_) return set_ignore(into_, range_ignore_reason::excessive_total);
    if (into_.ranges.empty()) {
      if (satisfiable_but_empty_)
        return set_ignore(into_, range_ignore_reason::empty_representation);
      // RFC 9110 §15.5.17: no range-spec overlaps the representation.
      into_.decision = range_decision::unsatisfiable;
      into_.reason = range_ignore_reason::none;
      return;
    }
    if (into_.ranges.size() > 1) coalesce();
    // RFC 9110 §14.2: a server MAY ignore a set of many small ranges; Apache's MaxRanges
    // answers 200 in the same way.
    if (into_.ranges.size() > limits_.max_ranges)
      return set_ignore(into_, range_ignore_reason::too_many_ranges);
    into_.decision = range_decision::partial;
    into_.reason = range_ignore_reason::none;
  }

 private:
  // RFC 9110 §14.1.2 turns one spec into the bytes it selects, or nothing if unsatisfiable.
  std::optional<byte_range> satisfy(const range_spec& spec) {
    if (spec.kind == range_spec_kind::suffix_range) {
      // RFC 9110 §14.1.1: "-0" is never satisfiable.
      if (spec.suffix_length == 0) return std::nullopt;
      if (length_ == 0) {
        // RFC 9110 §14.1.1: a non-zero suffix-range is the one satisfiable form against an
        // empty representation, yet it selects no byte.
        satisfiable_but_empty_ = true;
        return std::nullopt;
      }
      // RFC 9110 §14.1.2: a suffix longer than the representation selects all of it.
      std::uint64_t take = std::min(spec.suffix_length, length_);
      return byte_range{length_ - take, length_ - 1};
    }
    // RFC 9110 §14.1.1: an int-range is satisfiable only if first-pos < length.
    if (spec.first >= length_) return std::nullopt;
    // RFC 9110 §14.1.2: a missing or too large last-pos means the last byte.
    std::uint64_t last = spec.last ? std::min(*spec.last, length_ - 1) : length_ - 1;
    return byte_range{spec.first, last};
  }

  // RFC 9110 §15.3.7.2: a server MAY coalesce ranges that overlap or are separated by a gap
  // smaller than the overhead of another part, regardless of the order written; the parts
  // that remain SHOULD follow the order of the range-specs. So merge in offset order, then
  // put each merged range where its earliest member was written.
  void coalesce() {
    scratch_.clear();
    scratch_.reserve(into_.ranges.size());
    for (std::size_t i = 0; i < into_.ranges.size(); ++i) scratch_.push_back({into_.ranges[i], i});
    std::sort(scratch_.begin(), scratch_.end(), [](const ordered_range& a, const ordered_range& b) {
      return a.range.first < b.range.first;
    });
    std::size_t kept = 0;
    for (std::size_t i = 1; i < scratch_.size(); ++i) {
      ordered_range& current = scratch_[kept];
      const ordered_range& next = scratch_[i];
      bool close = next.range.first <= current.range.last ||
                   next.range.first - current.range.last - 1 <= limits_.max_coalesce_gap;
      if (close) {
        current.range.last = std::max(current.range.last, next.range.last);
        current.order = std::min(current.order, next.order);
      } else {
        scratch_[++kept] = next;
      }
    }
    scratch_.resize(kept + 1);
    std::sort(scratch_.begin(), scratch_.end(),
              [](const ordered_range& a, const ordered_range& b) { return a.order < b.order; });
    into_.ranges.clear();
    for (const ordered_range& r : scratch_) into_.ranges.push_back(r.range);
  }

  std::uint64_t length_;
  const range_limits& limits_;
  range_resolution& into_;
  std::uint64_t total_ = 0;
  bool excessive_ = false;
  bool satisfiable_but_empty_ = false;
  std::vector<ordered_range> scratch_;
};

char* append(char* out, std::string_view text) {
  return std::copy(text.begin(), text.end(), out);
}

char* append(char* out, char* end, std::uint64_t value) {
  return std::to_chars(out, end, value).ptr;
}

}  // namespace

range_parse_status parse_range(std::string_view field_value, std::vector<range_spec>& specs) {
  specs.clear();
  range_parse_status status =
      for_each_spec(field_value, [&specs](const range_spec& spec) { specs.push_back(spec); });
  if (status != range_parse_status::ok) specs.clear();
  return status;
}

std::string_view to_string(range_decision d) {
  switch (d) {
    case range_decision::ignore:
      return "ignore";
    case range_decision::unsatisfiable:
      return "unsatisfiable";
    case range_decision::partial:
      return "partial";
  }
  return "unknown";
}

std::string_view to_string(range_ignore_reason r) {
  switch (r) {
    case range_ignore_reason::none:
      return "none";
    case range_ignore_reason::unknown_unit:
      return "unknown unit";
    case range_ignore_reason::malformed:
      return "malformed";
    case range_ignore_reason::empty_representation:
      return "empty representation";
    case range_ignore_reason::too_many_ranges:
      return "too many ranges";
    case range_ignore_reason::excessive_total:
      return "ranges larger than the representation";
  }
  return "unknown";
}

void resolve_ranges(std::span<const range_spec> specs, std::uint64_t length, range_resolution& into,
                    const range_limits& limits) {
  // RFC 9110 §14.1.1: a range-set has at least one range-spec.
  if (specs.empty()) return set_ignore(into, range_ignore_reason::malformed);
  resolver r(length, limits, into);
  for (const range_spec& spec : specs) r.add(spec);
  r.finish();
}

range_resolution resolve_ranges(std::span<const range_spec> specs, std::uint64_t length,
                                const range_limits& limits) {
  range_resolution result;
  resolve_ranges(specs, length, result, limits);
  return result;
}

void evaluate_range(std::string_view field_value, std::uint64_t length, range_resolution& into,
                    const range_limits& limits) {
  resolver r(length, limits, into);
  range_parse_status status =
      for_each_spec(field_value, [&r](const range_spec& spec) { r.add(spec); });
  switch (status) {
    case range_parse_status::ok:
      return r.finish();
    // RFC 9110 §14.2: a server MUST ignore a Range field with a unit it does not support.
    case range_parse_status::unknown_unit:
      return set_ignore(into, range_ignore_reason::unknown_unit);
    case range_parse_status::malformed:
      return set_ignore(into, range_ignore_reason::malformed);
  }
}

range_resolution evaluate_range(std::string_view field_value, std::uint64_t length,
                                const range_limits& limits) {
  range_resolution result;
  evaluate_range(field_value, length, result, limits);
  return result;
}

// Content-Range = range-unit SP ( range-resp / unsatisfied-range )      (RFC 9110 §14.4)
//   range-resp        = incl-range "/" ( complete-length / "*" )
//   incl-range        = first-pos "-" last-pos
//   unsatisfied-range = "*/" complete-length
std::string_view format_content_range(const content_range& value,
                                      std::span<char, content_range_max_size> buffer) {
  if (!value.valid()) return {};
  char* const end = buffer.data() + buffer.size();
  char* out = append(buffer.data(), "bytes ");
  if (value.range) {
    out = append(out, end, value.range->first);
    *out++ = '-';
    out = append(out, end, value.range->last);
  } else {
    *out++ = '*';
  }
  *out++ = '/';
  if (value.complete_length) {
    out = append(out, end, *value.complete_length);
  } else {
    *out++ = '*';
  }
  return {buffer.data(), static_cast<std::size_t>(out - buffer.data())};
}

std::string format_content_range(const content_range& value) {
  char buffer[content_range_max_size];
  return std::string{format_content_range(value, buffer)};
}

std::optional<content_range> parse_content_range(std::string_view field_value) {
  field_value = trim_ows(field_value);
  std::size_t space = field_value.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  // RFC 9110 §14.1: range units are compared case-insensitively.
  if (!iequals(field_value.substr(0, space), "bytes")) return std::nullopt;
  std::string_view rest = field_value.substr(space + 1);
  std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view range_text = rest.substr(0, slash);
  std::string_view length_text = rest.substr(slash + 1);

  content_range result;
  if (length_text != "*") {
    result.complete_length = parse_number(length_text);
    if (!result.complete_length) return std::nullopt;
  }
  if (range_text != "*") {
    std::size_t dash = range_text.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    auto first = parse_number(range_text.substr(0, dash));
    auto last = parse_number(range_text.substr(dash + 1));
    if (!first || !last) return std::nullopt;
    result.range = byte_range{*first, *last};
  }
  // RFC 9110 §14.4: "*/*" is no form at all, and a last-pos below the first-pos or at or past
  // the complete length makes the field invalid; a recipient must not recombine such content.
  if (!result.valid()) return std::nullopt;
  return result;
}

}  // namespace herald::core
