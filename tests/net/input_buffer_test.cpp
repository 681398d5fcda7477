// net::input_buffer: reads go into its room, growing keeps the octets, erase closes the gap.

#include "net/input_buffer.hpp"

#include <cstring>
#include <gtest/gtest.h>
#include <string>

namespace herald::net {
namespace {

void append(input_buffer& b, std::string_view text) {
  ASSERT_GE(b.room_size(), text.size());
  std::memcpy(b.room(), text.data(), text.size());
  b.commit(text.size());
}

TEST(InputBuffer, StartsEmptyWithoutStorage) {
  input_buffer b;
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.capacity(), 0u);
  EXPECT_EQ(b.room_size(), 0u);
  EXPECT_EQ(b.view(), "");
}

TEST(InputBuffer, CommittedRoomBecomesContent) {
  input_buffer b;
  b.reserve(16);
  EXPECT_EQ(b.capacity(), 16u);
  append(b, "GET / HTTP/1.1");
  EXPECT_EQ(b.view(), "GET / HTTP/1.1");
  EXPECT_EQ(b.room_size(), 2u);
  EXPECT_EQ(b.view(4), "/ HTTP/1.1");
}

TEST(InputBuffer, GrowingKeepsTheOctets) {
  input_buffer b;
  b.reserve(4);
  append(b, "abcd");
  b.reserve(2);  // never shrinks
  EXPECT_EQ(b.capacity(), 4u);
  b.reserve(64);
  EXPECT_EQ(b.capacity(), 64u);
  EXPECT_EQ(b.view(), "abcd");
  append(b, "efgh");
  EXPECT_EQ(b.view(), "abcdefgh");
}

TEST(InputBuffer, EraseMovesTheRestDown) {
  input_buffer b;
  b.reserve(32);
  append(b, "head|body|next");
  b.erase(0, 5);
  EXPECT_EQ(b.view(), "body|next");
  b.erase(4, 1);
  EXPECT_EQ(b.view(), "bodynext");
  b.erase(4, 100);  // past the end: up to the end
  EXPECT_EQ(b.view(), "body");
  b.erase(9, 1);  // from past the end: nothing
  EXPECT_EQ(b.view(), "body");
}

TEST(InputBuffer, ClearKeepsStorageReleaseFreesIt) {
  input_buffer b;
  b.reserve(32);
  append(b, "x");
  b.clear();
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.capacity(), 32u);
  b.release();
  EXPECT_EQ(b.capacity(), 0u);
  EXPECT_EQ(b.view(), "");
}

}  // namespace
}  // namespace herald::net
