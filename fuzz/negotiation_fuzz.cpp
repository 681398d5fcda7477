// Invariants of the Accept* parsers and of negotiation:
// - the whole input parses (or not) as each of Accept, Accept-Encoding, Accept-Language and
//   Accept-Charset; every weight is 0..1000; an Accept range is "*" only as "*/*"; a parsed
//   list, written out again in canonical form, parses to an equal list;
// - the input split at '\n' gives the four fields (a missing line: absent) and an optional
//   extra variant type; negotiation's best index is in range unless nothing is acceptable, no
//   variant beats it, `tied` counts the variants that equal it, every quality is 0..1000;
// - best_coding returns an offered coding or "identity", never one the field gives 0, and
//   never nothing while some offered coding or identity is acceptable.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <herald/core/negotiation.hpp>

#include "fuzz_support.hpp"

namespace {

using namespace herald::core;
using herald::fuzz::check;

std::string weight(qvalue q) {
  std::string text = ";q=0.000";
  if (q == qvalue_max) return ";q=1";
  text[5] = static_cast<char>('0' + q / 100);
  text[6] = static_cast<char>('0' + q / 10 % 10);
  text[7] = static_cast<char>('0' + q % 10);
  return text;
}

void check_accept(std::string_view input) {
  const auto list = parse_accept(input);
  if (!list) return;
  std::string again;
  for (const media_range& e : *list) {
    check(e.q <= qvalue_max);
    check(e.range.type != "*" || e.range.subtype == "*");
    check(!e.range.parameters.has_repeated_name());
    again += to_string(e.range) + weight(e.q) + ", ";
  }
  const auto reparsed = parse_accept(again);
  check(reparsed.has_value() && reparsed->size() == list->size());
  for (std::size_t i = 0; i < list->size(); ++i) {
    check(equivalent((*list)[i].range, (*reparsed)[i].range));
    check((*list)[i].q == (*reparsed)[i].q);
  }
}

using list_parser = std::optional<std::vector<weighted_value>> (*)(std::string_view);

void check_weighted(std::string_view input, list_parser parse) {
  const auto list = parse(input);
  if (!list) return;
  std::string again;
  for (const weighted_value& e : *list) {
    check(e.q <= qvalue_max);
    check(!e.value.empty());
    again += std::string(e.value) + weight(e.q) + ",";
  }
  const auto reparsed = parse(again);
  check(reparsed.has_value() && reparsed->size() == list->size());
  for (std::size_t i = 0; i < list->size(); ++i)
    check((*list)[i].value == (*reparsed)[i].value && (*list)[i].q == (*reparsed)[i].q);
}

bool within_range(const variant_quality& q) {
  return q.type <= qvalue_max && q.charset <= qvalue_max && q.language <= qvalue_max &&
         q.coding <= qvalue_max && q.source <= qvalue_max;
}

void check_negotiation(std::string_view input) {
  std::array<std::optional<std::string_view>, 5> lines;
  std::size_t start = 0;
  for (std::size_t i = 0; i < lines.size() && start <= input.size(); ++i) {
    std::size_t end = std::min(input.find('\n', start), input.size());
    lines[i] = input.substr(start, end - start);
    start = end + 1;
  }
  const preference_fields fields{lines[0], lines[1], lines[2], lines[3]};

  std::vector<variant> variants;
  auto add = [&](std::string_view type, std::string_view coding, std::string_view language,
                 std::string_view charset, qvalue qs) {
    std::optional<media_type> m = parse_media_type(type);
    if (m) variants.push_back(variant{*m, coding, language, charset, qs});
  };
  add("text/html;charset=utf-8", {}, "en", {}, 1000);
  add("text/html;charset=utf-8", "gzip", "en-US", {}, 1000);
  add("text/plain;format=flowed", "br", "fr", "iso-8859-1", 900);
  add("application/json", "x-gzip", {}, {}, 800);
  add("image/png", "identity", {}, {}, 1000);
  add("text/html", {}, "de-CH", "utf-8", 1000);
  if (lines[4]) add(*lines[4], "zstd", "en", {}, 700);

  const preferences prefs(fields);
  const negotiation_result result = negotiate(prefs, variants);
  std::uint64_t best = 0;
  std::size_t tied = 0;
  for (const variant& v : variants) {
    const variant_quality q = prefs.quality_of(v);
    check(within_range(q));
    if (q.combined() > best) {
      best = q.combined();
      tied = 1;
    } else if (q.combined() == best && best != 0) {
      ++tied;
    }
  }
  check(within_range(result.quality));
  if (result.outcome == negotiation_outcome::not_acceptable) {
    check(best == 0 && result.best == variants.size() && result.tied == 0);
  } else {
    check(result.best < variants.size());
    check(result.quality.combined() == best && best != 0);
    check(prefs.quality_of(variants[result.best]).combined() == best);
    check(result.tied == tied && tied >= 1);
    check(result.outcome != negotiation_outcome::tie || tied >= 2);
  }
  check(negotiate(fields, variants).best == result.best);

  const std::array<std::string_view, 4> offered{"br", "gzip", "zstd", "x-compress"};
  const std::optional<std::string_view> coding = best_coding(lines[1], offered);
  const auto accept_encoding = lines[1] ? parse_accept_encoding(*lines[1]) : std::nullopt;
  if (accept_encoding) {
    qvalue best_offered = coding_quality(*accept_encoding, "identity");
    for (std::string_view c : offered)
      best_offered = std::max(best_offered, coding_quality(*accept_encoding, c));
    check(coding.has_value() == (best_offered != 0));
    if (coding) check(coding_quality(*accept_encoding, *coding) == best_offered);
  } else {
    check(coding == std::optional<std::string_view>{"identity"});
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_accept(input);
  check_weighted(input, parse_accept_encoding);
  check_weighted(input, parse_accept_language);
  check_weighted(input, parse_accept_charset);
  check_negotiation(input);
  return 0;
}
