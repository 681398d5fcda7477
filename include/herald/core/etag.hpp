#pragma once
// Entity tags (RFC 9110 §8.8.3) and the If-Match / If-None-Match lists (§13.1.1, §13.1.2).
//
//   entity-tag = [ weak ] opaque-tag
//   weak       = %s"W/"                    ; uppercase W only
//   opaque-tag = DQUOTE *etagc DQUOTE
//   etagc      = %x21 / %x23-7E / obs-text ; no backslash escaping: not a quoted-string
//
//   If-Match = If-None-Match = "*" / #entity-tag
//
// Nothing here allocates except to_string. Parsed tags are views into the caller's buffer
// and are valid only while that buffer is.

#include <cstddef>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace herald::core {

// etagc: any VCHAR except DQUOTE, or obs-text. SP, HTAB, controls and DEL are not allowed.
constexpr bool is_etagc(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u == 0x21 || (u >= 0x23 && u <= 0x7E) || u >= 0x80;
}

constexpr bool is_opaque_tag_content(std::string_view s) {
  for (char c : s)
    if (!is_etagc(c)) return false;
  return true;
}

// One entity tag. `opaque` is the content of the opaque-tag WITHOUT its double quotes (it may
// be empty: `""` is a valid tag), so a tag can point at any run of etagc characters; the
// functions below add the quotes when they write. Every function here expects
// is_opaque_tag_content(opaque); parse_entity_tag and make_*_tag guarantee it.
//
// operator== is identity (same weakness, same characters). Conditional requests use
// strong_match or weak_match instead.
struct entity_tag {
  bool weak = false;
  std::string_view opaque;

  friend constexpr bool operator==(const entity_tag&, const entity_tag&) = default;
};

// RFC 9110 §8.8.3.2 strong comparison: both strong and the same opaque-tag.
constexpr bool strong_match(entity_tag a, entity_tag b) {
  return !a.weak && !b.weak && a.opaque == b.opaque;
}
// RFC 9110 §8.8.3.2 weak comparison: the same opaque-tag, whatever either's weakness.
constexpr bool weak_match(entity_tag a, entity_tag b) {
  return a.opaque == b.opaque;
}

// Which comparison a precondition uses: If-Match and If-Range strong (RFC 9110 §13.1.1,
// §13.1.5), If-None-Match weak (§13.1.2).
enum class etag_comparison : unsigned char { strong, weak };

constexpr bool matches(entity_tag a, entity_tag b, etag_comparison how) {
  return how == etag_comparison::strong ? strong_match(a, b) : weak_match(a, b);
}

// Parses exactly one entity-tag (the ETag field value): no surrounding whitespace or other
// characters, `W/` with an uppercase W only. The result views into `text`.
std::optional<entity_tag> parse_entity_tag(std::string_view text);

// Builds a tag whose opaque-tag content is `opaque` (without quotes); nullopt if `opaque` holds
// a character that is not etagc (for example DQUOTE, SP or a control). The result views into
// `opaque`.
std::optional<entity_tag> make_strong_tag(std::string_view opaque);
std::optional<entity_tag> make_weak_tag(std::string_view opaque);

// The length of the serialized tag: `W/` if weak, then the opaque-tag with its quotes.
constexpr std::size_t formatted_size(entity_tag tag) {
  return (tag.weak ? 2 : 0) + tag.opaque.size() + 2;
}

// Writes the serialized tag at the start of `out` without allocating. Returns the number of
// characters written, or 0 (writing nothing) if `out` is shorter than formatted_size(tag).
std::size_t format_entity_tag(entity_tag tag, std::span<char> out);

// The serialized tag, such as `W/"xyzzy"`. to_string(*parse_entity_tag(x)) == x.
std::string to_string(entity_tag tag);

enum class etag_list_kind : unsigned char {
  any,        // the field value is "*"
  tags,       // a list of zero or more entity tags
  malformed,  // anything else, including "*" mixed with tags
};

// The value of an If-Match or If-None-Match field: "*" / #entity-tag. Parsing validates the
// whole value once and stores nothing but a view of it; iteration re-reads the tags from that
// view, so nothing is allocated. Views into the caller's buffer.
//
// List rules (RFC 9110 §5.6.1.2): OWS around commas, and empty elements (",,", a leading or
// trailing comma) are ignored. A value with no element at all (for example "" or ",") is a
// valid empty list, since #entity-tag allows zero elements: it matches nothing.
class entity_tag_list {
 public:
  // Forward iterator over the tags of a `tags` list, in field order.
  class iterator {
   public:
    // Dereferencing yields the tag by value (it is two words), so this is a C++20 forward
    // iterator but only a C++17 input iterator.
    using iterator_concept = std::forward_iterator_tag;
    using iterator_category = std::input_iterator_tag;
    using value_type = entity_tag;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = entity_tag;

    iterator() = default;
    entity_tag operator*() const { return current_; }
    iterator& operator++();
    iterator operator++(int) {
      iterator old = *this;
      ++*this;
      return old;
    }
    friend bool operator==(const iterator& a, const iterator& b) {
      return a.at_end_ == b.at_end_ && (a.at_end_ || a.rest_.data() == b.rest_.data());
    }

   private:
    friend class entity_tag_list;
    explicit iterator(std::string_view rest);
    std::string_view rest_;  // the value after current_
    entity_tag current_;
    bool at_end_ = true;
  };

  // An empty list of tags, which matches nothing.
  entity_tag_list() = default;

  etag_list_kind kind() const { return kind_; }
  bool is_any() const { return kind_ == etag_list_kind::any; }
  bool is_malformed() const { return kind_ == etag_list_kind::malformed; }

  // The tags of a `tags` list; empty for `any` and `malformed`.
  iterator begin() const;
  iterator end() const { return iterator{}; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Whether the selected representation, whose tag is `current`, is matched: true for `any`
  // (the caller has a current representation, since it has its tag), true for `tags` if one
  // of them matches `current` under `how`, false for `malformed`. A resource with a current
  // representation but no entity tag should test is_any() instead (RFC 9110 §13.1.1).
  bool contains(entity_tag current, etag_comparison how) const;

  friend entity_tag_list parse_entity_tag_list(std::string_view field_value);

 private:
  std::string_view value_;
  std::size_t size_ = 0;
  entity_tag first_;  // the one tag of most lists, matched without reading the value again
  etag_list_kind kind_ = etag_list_kind::tags;
};

// Parses an If-Match or If-None-Match field value. OWS around the whole value is allowed.
entity_tag_list parse_entity_tag_list(std::string_view field_value);

enum class etag_list_match : unsigned char { matched, not_matched, malformed };

// parse_entity_tag_list(field_value).contains(current, how), keeping "malformed" apart from
// "not matched" so the caller applies its own rule to a malformed field. Allocation free; the
// per-request check for If-None-Match.
etag_list_match list_matches(std::string_view field_value, entity_tag current, etag_comparison how);

}  // namespace herald::core
