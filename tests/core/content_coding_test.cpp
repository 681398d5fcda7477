// Content codings (src/core/content_coding.cpp): round trips through each coding, the tokens of
// Content-Encoding and Accept-Encoding, the formats each coding means on the wire (gzip's
// header, deflate as the zlib format), and decoding bounded and refusing garbage, truncation,
// trailing octets and output beyond max_size.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <random>
#include <string>
#include <string_view>
#include <zlib.h>

#include <herald/core/content_coding.hpp>

#include "support/test_cases.hpp"

namespace herald::core {
namespace {

using test::PrintTo;

struct coding_case {
  std::string name;
  content_coding coding;
};

const coding_case every_coding[] = {{"Identity", content_coding::identity},
                                    {"Gzip", content_coding::gzip},
                                    {"Deflate", content_coding::deflate},
                                    {"Br", content_coding::br},
                                    {"Zstd", content_coding::zstd}};
const coding_case compressing[] = {{"Gzip", content_coding::gzip},
                                   {"Deflate", content_coding::deflate},
                                   {"Br", content_coding::br},
                                   {"Zstd", content_coding::zstd}};

std::string random_octets(std::size_t n, unsigned seed) {
  std::mt19937 engine(seed);
  std::string out(n, '\0');
  for (char& ch : out) ch = static_cast<char>(engine() & 0xFF);
  return out;
}

class ContentCodingRoundTrip : public testing::TestWithParam<coding_case> {};

TEST_P(ContentCodingRoundTrip, DecodesWhatItEncodes) {
  const content_coding c = GetParam().coding;
  for (const std::string& original :
       {std::string(), std::string("a"), std::string("{\"gzipped\": true}\n"),
        std::string(100000, 'z'), random_octets(70000, 7), std::string("\0\0\xff", 3)}) {
    const std::string coded = encode(c, original);
    std::optional<std::string> back = decode(c, coded, original.size());
    ASSERT_TRUE(back) << "size " << original.size();
    EXPECT_EQ(*back, original) << "size " << original.size();
  }
}

TEST_P(ContentCodingRoundTrip, DecodeRefusesOutputBeyondMaxSize) {
  const content_coding c = GetParam().coding;
  const std::string original(50000, 'q');
  const std::string coded = encode(c, original);
  EXPECT_TRUE(decode(c, coded, 50000));
  EXPECT_FALSE(decode(c, coded, 49999));
  EXPECT_FALSE(decode(c, coded, 0));
}

INSTANTIATE_TEST_SUITE_P(EveryCoding, ContentCodingRoundTrip, testing::ValuesIn(every_coding),
                         test::case_name);

class ContentCodingCompressed : public testing::TestWithParam<coding_case> {};

TEST_P(ContentCodingCompressed, RepetitiveContentShrinks) {
  const std::string original(100000, 'z');
  EXPECT_LT(encode(GetParam().coding, original).size(), 2000u);
}

TEST_P(ContentCodingCompressed, GarbageIsRefused) {
  const content_coding c = GetParam().coding;
  for (const std::string& garbage : {std::string("this is not compressed at all"),
                                     random_octets(64, 1), random_octets(4096, 2)})
    EXPECT_FALSE(decode(c, garbage, 1 << 20)) << garbage.size();
}

TEST_P(ContentCodingCompressed, EmptyInputIsRefused) {
  EXPECT_FALSE(decode(GetParam().coding, "", 1 << 20)) << "no coding's format is empty";
}

TEST_P(ContentCodingCompressed, TruncationIsRefusedAtEveryLength) {
  const content_coding c = GetParam().coding;
  const std::string coded = encode(c, random_octets(3000, 3) + std::string(3000, 'r'));
  for (std::size_t keep = 0; keep < coded.size(); keep += std::max<std::size_t>(1, coded.size() / 97))
    EXPECT_FALSE(decode(c, coded.substr(0, keep), 1 << 20)) << keep << " of " << coded.size();
  EXPECT_FALSE(decode(c, coded.substr(0, coded.size() - 1), 1 << 20));
}

TEST_P(ContentCodingCompressed, TrailingGarbageIsRefused) {
  const content_coding c = GetParam().coding;
  const std::string coded = encode(c, "hello, trailing octets");
  EXPECT_FALSE(decode(c, coded + "junk", 1 << 20));
}

TEST_P(ContentCodingCompressed, ABombIsStoppedAtMaxSize) {
  const content_coding c = GetParam().coding;
  // 4 MiB of zeros codes to a few kilobytes; decoding with a 1 MiB bound must stop.
  const std::string bomb = encode(c, std::string(4 << 20, '\0'));
  EXPECT_LT(bomb.size(), 64u * 1024);
  EXPECT_FALSE(decode(c, bomb, 1 << 20));
}

INSTANTIATE_TEST_SUITE_P(Compressing, ContentCodingCompressed, testing::ValuesIn(compressing),
                         test::case_name);

TEST(ContentCoding, GzipHasTheGzipHeader) {
  const std::string coded = encode(content_coding::gzip, "x");
  ASSERT_GE(coded.size(), 10u);
  EXPECT_EQ(coded.substr(0, 3), "\x1f\x8b\x08") << "RFC 1952 §2.3.1: ID1 ID2 CM=deflate";
}

TEST(ContentCoding, DeflateIsTheZlibFormat) {
  // RFC 9110 §8.4.1.2: "deflate" is the zlib format (RFC 1950), not raw deflate.
  const std::string coded = encode(content_coding::deflate, "hello");
  ASSERT_GE(coded.size(), 2u);
  const auto cmf = static_cast<unsigned char>(coded[0]);
  const auto flg = static_cast<unsigned char>(coded[1]);
  EXPECT_EQ(cmf & 0x0F, 8) << "CM = 8, deflate";
  EXPECT_EQ((cmf * 256 + flg) % 31, 0) << "RFC 1950 §2.2: FCHECK";
  // And zlib's own uncompress reads it.
  std::string out(16, '\0');
  uLongf size = static_cast<uLongf>(out.size());
  ASSERT_EQ(uncompress(reinterpret_cast<Bytef*>(out.data()), &size,
                       reinterpret_cast<const Bytef*>(coded.data()),
                       static_cast<uLong>(coded.size())),
            Z_OK);
  out.resize(size);
  EXPECT_EQ(out, "hello");
}

TEST(ContentCoding, DecodesZlibsOwnOutput) {
  const std::string text(1000, 'w');
  std::string packed(compressBound(static_cast<uLong>(text.size())), '\0');
  uLongf size = static_cast<uLongf>(packed.size());
  ASSERT_EQ(compress(reinterpret_cast<Bytef*>(packed.data()), &size,
                     reinterpret_cast<const Bytef*>(text.data()), static_cast<uLong>(text.size())),
            Z_OK);
  packed.resize(size);
  EXPECT_EQ(decode(content_coding::deflate, packed, 1 << 20), text);
  EXPECT_FALSE(decode(content_coding::gzip, packed, 1 << 20)) << "zlib format is not gzip";
}

TEST(ContentCoding, ChecksumMismatchIsRefused) {
  // gzip ends with CRC-32 and ISIZE (RFC 1952 §2.3.1), the zlib format with Adler-32
  // (RFC 1950 §2.2): a flipped octet in either is corruption, not content.
  for (content_coding c : {content_coding::gzip, content_coding::deflate}) {
    std::string coded = encode(c, "checked content, checked twice");
    for (std::size_t from_end : {1u, 4u, 5u, 8u}) {
      if (c == content_coding::deflate && from_end > 4) continue;  // Adler-32 is 4 octets
      std::string bad = coded;
      bad[bad.size() - from_end] = static_cast<char>(bad[bad.size() - from_end] ^ 0x01);
      EXPECT_FALSE(decode(c, bad, 1 << 20)) << token(c) << ", octet " << from_end << " from the end";
    }
  }
}

TEST(ContentCoding, GzipIsNotDeflate) {
  const std::string gz = encode(content_coding::gzip, "which format?");
  EXPECT_FALSE(decode(content_coding::deflate, gz, 1 << 20));
  const std::string zl = encode(content_coding::deflate, "which format?");
  EXPECT_FALSE(decode(content_coding::gzip, zl, 1 << 20));
}

TEST(ContentCoding, ConcatenatedZstdFramesDecodeInOrder) {
  // RFC 8878 §3.1: a zstd stream may hold several frames one after another.
  const std::string two = encode(content_coding::zstd, "first ") + encode(content_coding::zstd, "second");
  EXPECT_EQ(decode(content_coding::zstd, two, 1 << 20), "first second");
}

TEST(ContentCoding, ConcatenatedGzipMembersDecodeInOrder) {
  // RFC 1952 §2.2: "A gzip file consists of a series of members"; RFC 9110 §8.4.1.3 names
  // that format, and gzip(1), zlib's gzread, Go and Python read every member.
  const std::string two = encode(content_coding::gzip, "first ") + encode(content_coding::gzip, "second");
  EXPECT_EQ(decode(content_coding::gzip, two, 1 << 20), "first second");
}

TEST(ContentCoding, IdentityIsTheContentItself) {
  EXPECT_EQ(encode(content_coding::identity, "as is"), "as is");
  EXPECT_EQ(decode(content_coding::identity, "as is", 5), "as is");
  EXPECT_FALSE(decode(content_coding::identity, "as is", 4));
}

struct token_case {
  std::string name;
  std::string token;
  std::optional<content_coding> coding;
};

class ContentCodingToken : public testing::TestWithParam<token_case> {};

TEST_P(ContentCodingToken, NamesACoding) {
  EXPECT_EQ(content_coding_from_token(GetParam().token), GetParam().coding);
}

INSTANTIATE_TEST_SUITE_P(
    Tokens, ContentCodingToken,
    testing::Values(token_case{"Gzip", "gzip", content_coding::gzip},
                    token_case{"GzipUpper", "GZIP", content_coding::gzip},
                    token_case{"XGzip", "x-gzip", content_coding::gzip},
                    token_case{"XGzipMixed", "X-Gzip", content_coding::gzip},
                    token_case{"Deflate", "deflate", content_coding::deflate},
                    token_case{"DeflateMixed", "Deflate", content_coding::deflate},
                    token_case{"Br", "br", content_coding::br},
                    token_case{"BrUpper", "BR", content_coding::br},
                    token_case{"Zstd", "zstd", content_coding::zstd},
                    token_case{"Identity", "identity", content_coding::identity},
                    token_case{"IdentityUpper", "IDENTITY", content_coding::identity},
                    token_case{"Compress", "compress", std::nullopt},
                    token_case{"XCompress", "x-compress", std::nullopt},
                    token_case{"Brotli", "brotli", std::nullopt},
                    token_case{"Star", "*", std::nullopt},
                    token_case{"Empty", "", std::nullopt},
                    token_case{"Padded", " gzip", std::nullopt},
                    token_case{"WithParameter", "gzip;q=1", std::nullopt}),
    test::case_name);

TEST(ContentCoding, TokenOfEachCodingReadsBack) {
  for (const coding_case& c : every_coding) {
    EXPECT_EQ(content_coding_from_token(token(c.coding)), c.coding) << c.name;
  }
  EXPECT_EQ(token(content_coding::gzip), "gzip");
  EXPECT_EQ(token(content_coding::deflate), "deflate");
  EXPECT_EQ(token(content_coding::br), "br");
  EXPECT_EQ(token(content_coding::zstd), "zstd");
  EXPECT_EQ(token(content_coding::identity), "identity");
}

}  // namespace
}  // namespace herald::core
