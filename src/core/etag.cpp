#include <algorithm>
#include <array>

#include <herald/core/etag.hpp>
#include <herald/core/syntax.hpp>

namespace herald::core {

namespace {

// Reads one entity-tag at the start of `in` and advances past it; leaves `in` unchanged and
// returns nullopt if none is there. The opaque-tag ends at the first DQUOTE: etagc has no
// quoted-pair, so a backslash is an ordinary character (RFC 9110 §8.8.3).
std::optional<entity_tag> consume_entity_tag(std::string_view& in) {
  std::string_view s = in;
  entity_tag tag;
  // RFC 9110 §8.8.3: weak = %s"W/", case-sensitive.
  if (s.starts_with("W/")) {
    tag.weak = true;
    s.remove_prefix(2);
  }
  if (s.empty() || s.front() != '"') return std::nullopt;
  s.remove_prefix(1);
  // A table, not is_etagc's comparisons: a conditional request's tags are read on the hot path.
  static constexpr auto etagc = [] {
    std::array<bool, 256> table{};
    for (std::size_t c = 0; c < table.size(); ++c) table[c] = is_etagc(static_cast<char>(c));
    return table;
  }();
  std::size_t length = 0;
  while (length < s.size() && etagc[static_cast<unsigned char>(s[length])]) ++length;
  if (length == s.size() || s[length] != '"') return std::nullopt;
  tag.opaque = s.substr(0, length);
  in = s.substr(length + 1);
  return tag;
}

// RFC 9110 §5.6.1.2: a recipient ignores empty list elements and the OWS around commas.
std::string_view skip_list_separators(std::string_view s) {
  while (!s.empty() && (syntax::is_ows(s.front()) || s.front() == ',')) s.remove_prefix(1);
  return s;
}

std::optional<entity_tag> make_tag(std::string_view opaque, bool weak) {
  if (!is_opaque_tag_content(opaque)) return std::nullopt;
  return entity_tag{weak, opaque};
}

}  // namespace

std::optional<entity_tag> parse_entity_tag(std::string_view text) {
  std::optional<entity_tag> tag = consume_entity_tag(text);
  if (!tag || !text.empty()) return std::nullopt;
  return tag;
}

std::optional<entity_tag> make_strong_tag(std::string_view opaque) {
  return make_tag(opaque, false);
}

std::optional<entity_tag> make_weak_tag(std::string_view opaque) {
  return make_tag(opaque, true);
}

std::size_t format_entity_tag(entity_tag tag, std::span<char> out) {
  const std::size_t size = formatted_size(tag);
  if (out.size() < size) return 0;
  char* p = out.data();
  if (tag.weak) {
    *p++ = 'W';
    *p++ = '/';
  }
  *p++ = '"';
  p = std::copy(tag.opaque.begin(), tag.opaque.end(), p);
  *p = '"';
  return size;
}

std::string to_string(entity_tag tag) {
  std::string out(formatted_size(tag), '\0');
  format_entity_tag(tag, out);
  return out;
}

entity_tag_list::iterator::iterator(std::string_view rest) : rest_(rest) {
  ++*this;
}

entity_tag_list::iterator& entity_tag_list::iterator::operator++() {
  rest_ = skip_list_separators(rest_);
  const std::optional<entity_tag> next = consume_entity_tag(rest_);
  at_end_ = !next.has_value();
  if (next) current_ = *next;
  return *this;
}

entity_tag_list::iterator entity_tag_list::begin() const {
  if (kind_ != etag_list_kind::tags) return end();
  return iterator{value_};
}

bool entity_tag_list::contains(entity_tag current, etag_comparison how) const {
  switch (kind_) {
    case etag_list_kind::any:
      return true;
    case etag_list_kind::malformed:
      return false;
    case etag_list_kind::tags:
      break;
  }
  if (size_ == 1) return matches(first_, current, how);
  return std::any_of(begin(), end(), [&](entity_tag tag) { return matches(tag, current, how); });
}

entity_tag_list parse_entity_tag_list(std::string_view field_value) {
  entity_tag_list list;
  list.value_ = field_value;
  std::string_view s = syntax::trim_ows(field_value);
  // RFC 9110 §13.1.1: "*" / #entity-tag. "*" stands alone; inside a list it is not a tag.
  if (s == "*") {
    list.kind_ = etag_list_kind::any;
    return list;
  }
  for (s = skip_list_separators(s); !s.empty(); s = skip_list_separators(s)) {
    const std::optional<entity_tag> tag = consume_entity_tag(s);
    const bool is_tag = tag.has_value();
    syntax::skip_ows(s);
    // Each element is a whole entity-tag and the next one starts after a comma: `"a" "b"`,
    // `"a"x` and `"a", *` are all malformed.
    if (!is_tag || (!s.empty() && s.front() != ',')) {
      list.kind_ = etag_list_kind::malformed;
      list.size_ = 0;
      return list;
    }
    if (list.size_++ == 0) list.first_ = *tag;
  }
  return list;
}

etag_list_match list_matches(std::string_view field_value, entity_tag current,
                             etag_comparison how) {
  const entity_tag_list list = parse_entity_tag_list(field_value);
  if (list.is_malformed()) return etag_list_match::malformed;
  return list.contains(current, how) ? etag_list_match::matched : etag_list_match::not_matched;
}

}  // namespace herald::core
