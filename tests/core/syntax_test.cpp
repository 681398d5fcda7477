// The character classes of core/syntax.hpp against RFC 9110's definitions, octet by octet.

#include <gtest/gtest.h>
#include <string>

#include <herald/core/syntax.hpp>

namespace herald::core::syntax {
namespace {

// RFC 9110 §5.5: field-value = *field-content; field-vchar = VCHAR / obs-text; SP and HTAB
// only between them.
bool allowed_inside_a_field_value(unsigned char c) {
  return c == ' ' || c == '\t' || (c >= 0x21 && c <= 0x7e) || c >= 0x80;
}

TEST(FieldValue, EveryOctetInsideAValue) {
  for (int c = 0; c < 256; ++c) {
    const std::string value = std::string("a") + static_cast<char>(c) + "b";
    EXPECT_EQ(is_field_value(value), allowed_inside_a_field_value(static_cast<unsigned char>(c)))
        << "octet " << c;
  }
}

TEST(FieldValue, EveryOctetAsTheWholeValue) {
  for (int c = 0; c < 256; ++c) {
    const auto octet = static_cast<unsigned char>(c);
    const bool expected = allowed_inside_a_field_value(octet) && octet != ' ' && octet != '\t';
    EXPECT_EQ(is_field_value(std::string(1, static_cast<char>(c))), expected) << "octet " << c;
  }
}

// Values are checked a word at a time, a short one padded and a long one's last word
// overlapping: every octet at every place, among neighbours that are plain, high (obs-text)
// or HTAB, in values of every length from two octets to three words.
TEST(FieldValue, EveryOctetAtEveryPlaceOfEveryLength) {
  for (char neighbour : {'x', '\xff', '\t'}) {
    for (std::size_t length = 2; length <= 24; ++length) {
      for (std::size_t at = 0; at < length; ++at) {
        for (int c = 0; c < 256; ++c) {
          std::string value(length, neighbour);
          value.front() = 'a';
          value.back() = 'b';
          value[at] = static_cast<char>(c);
          const auto octet = static_cast<unsigned char>(c);
          const bool at_an_end = at == 0 || at + 1 == length;
          const bool expected = allowed_inside_a_field_value(octet) &&
                                !(at_an_end && (octet == ' ' || octet == '\t'));
          EXPECT_EQ(is_field_value(value), expected)
              << "octet " << c << " at " << at << " of " << length;
        }
      }
    }
  }
}

// Evaluated when compiled, the check takes the octet-by-octet path only.
static_assert(is_field_value("text/plain; q=0.5") && is_field_value("a\tb") &&
              !is_field_value("a\rb") && !is_field_value(" a") && !is_field_value("a\x7f"));

TEST(FieldValue, EmptyIsAllowedAndSurroundingWhitespaceIsNot) {
  EXPECT_TRUE(is_field_value(""));
  EXPECT_TRUE(is_field_value("text/plain; charset=utf-8"));
  EXPECT_FALSE(is_field_value(" leading"));
  EXPECT_FALSE(is_field_value("trailing\t"));
  EXPECT_FALSE(is_field_value("split\r\nInjected: yes"));
}

}  // namespace
}  // namespace herald::core::syntax
