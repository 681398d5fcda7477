// Invariants of the entity-tag parsers:
// - a single tag that parses formats back to the input, its opaque part is all etagc, and
//   make_*_tag rebuilds it;
// - a list is "any" only for a lone "*", and a malformed list has no tags;
// - a list's tags, iterated, number size(), each point into the input, each matches itself,
//   and joined with ", " they parse back to the same list;
// - list_matches agrees with the parsed list for the list's own tags and for an arbitrary tag
//   taken from the input's first bytes, and never crashes.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <herald/core/etag.hpp>

#include "fuzz_support.hpp"

namespace {

using namespace herald::core;
using herald::fuzz::check;
using herald::fuzz::points_into;

void check_single(std::string_view input) {
  const std::optional<entity_tag> tag = parse_entity_tag(input);
  if (!tag) return;
  check(is_opaque_tag_content(tag->opaque));
  check(points_into(tag->opaque, input));
  check(to_string(*tag) == input);
  check(formatted_size(*tag) == input.size());
  const std::optional<entity_tag> rebuilt =
      tag->weak ? make_weak_tag(tag->opaque) : make_strong_tag(tag->opaque);
  check(rebuilt == tag);
  check(weak_match(*tag, *tag));
  check(strong_match(*tag, *tag) == !tag->weak);
}

void check_membership(const entity_tag_list& list, std::string_view input, entity_tag current) {
  for (etag_comparison how : {etag_comparison::strong, etag_comparison::weak}) {
    const etag_list_match result = list_matches(input, current, how);
    check(list.contains(current, how) == (result == etag_list_match::matched));
    check(list.is_malformed() == (result == etag_list_match::malformed));
  }
}

void check_list(std::string_view input) {
  const entity_tag_list list = parse_entity_tag_list(input);
  std::string_view trimmed = input;
  while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t'))
    trimmed.remove_prefix(1);
  while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t'))
    trimmed.remove_suffix(1);
  check(list.is_any() == (trimmed == "*"));

  std::vector<entity_tag> tags(list.begin(), list.end());
  check(tags.size() == list.size());
  if (list.kind() != etag_list_kind::tags) check(tags.empty());

  std::string joined;
  for (const entity_tag& tag : tags) {
    check(points_into(tag.opaque, input));
    check(is_opaque_tag_content(tag.opaque));
    check(list.contains(tag, etag_comparison::weak));
    check(list.contains(tag, etag_comparison::strong) || tag.weak);
    check_membership(list, input, tag);
    if (!joined.empty()) joined += ", ";
    joined += to_string(tag);
  }
  if (list.kind() == etag_list_kind::tags) {
    const entity_tag_list reparsed = parse_entity_tag_list(joined);
    check(reparsed.kind() == etag_list_kind::tags);
    check(std::vector<entity_tag>(reparsed.begin(), reparsed.end()) == tags);
  }

  // An arbitrary current tag: the first input bytes, cut at the first non-etagc character.
  std::string_view opaque = input.substr(0, 8);
  std::size_t n = 0;
  while (n < opaque.size() && is_etagc(opaque[n])) ++n;
  opaque = opaque.substr(0, n);
  check_membership(list, input, entity_tag{false, opaque});
  check_membership(list, input, entity_tag{true, opaque});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_single(input);
  check_list(input);
  return 0;
}
