#include "http1/scan.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace herald::http1::scan {
namespace {

TEST(FieldValueEnd, StopsAtTheFirstControlCharacter) {
  EXPECT_EQ(field_value_end_scalar("text/html\r\n"), 9u);
  EXPECT_EQ(field_value_end_scalar("a\tb c\r"), 5u);             // HTAB and SP are allowed
  EXPECT_EQ(field_value_end_scalar("caf\xc3\xa9\x7f"), 5u);       // obs-text allowed, DEL not
  EXPECT_EQ(field_value_end_scalar(std::string("a\0b", 3)), 1u);  // NUL
  EXPECT_EQ(field_value_end_scalar("plain"), 5u);
  EXPECT_EQ(field_value_end_scalar(""), 0u);
}

// The AVX2 path must agree with the scalar one on every byte value at every position,
// including positions inside, at the edge of, and after a 32-byte block.
TEST(FieldValueEnd, Avx2AgreesWithScalarForEveryByteAndPosition) {
  if (!has_avx2()) GTEST_SKIP() << "this CPU has no AVX2";
  for (std::size_t length : {0u, 1u, 31u, 32u, 33u, 63u, 64u, 65u, 100u}) {
    for (std::size_t at = 0; at < length; ++at) {
      for (int byte = 0; byte < 256; ++byte) {
        std::string s(length, 'x');
        s[at] = static_cast<char>(byte);
        ASSERT_EQ(field_value_end_avx2(s), field_value_end_scalar(s))
            << "length " << length << " position " << at << " byte " << byte;
      }
    }
  }
}

TEST(FieldValueEnd, Avx2AgreesWithScalarOnRandomText) {
  if (!has_avx2()) GTEST_SKIP() << "this CPU has no AVX2";
  std::mt19937 rng(7);
  for (int round = 0; round < 20000; ++round) {
    std::string s(rng() % 200, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 8 == 0 ? rng() % 256 : 0x20 + rng() % 95);
    ASSERT_EQ(field_value_end_avx2(s), field_value_end_scalar(s)) << round;
  }
}

TEST(FieldValueEnd, DispatchGivesTheSameAnswer) {
  EXPECT_EQ(field_value_end("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36\r\n"), 50u);
}

}  // namespace
}  // namespace herald::http1::scan
