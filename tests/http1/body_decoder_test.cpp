// body_decoder: message content framed by Content-Length, the chunked transfer coding, or the
// close of the connection (RFC 9112 §6, §7).

#include <cstddef>
#include <gtest/gtest.h>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <herald/core/status.hpp>
#include <herald/http1/parser.hpp>

namespace herald::http1 {
namespace {

using namespace std::string_literals;

using trailer_list = std::vector<std::pair<std::string, std::string>>;

// Everything a caller learns from decoding one message, copied out of the receive buffer.
struct decoded {
  std::string content;
  trailer_list trailers;
  bool done = false;
  std::optional<error> failure;
  std::string leftover;  // received bytes the decoder did not consume
  bool views_inside_buffer = true;
};

bool operator==(const decoded& a, const decoded& b) {
  return a.content == b.content && a.trailers == b.trailers && a.done == b.done &&
         a.failure == b.failure && a.leftover == b.leftover;
}

std::ostream& operator<<(std::ostream& os, const decoded& d) {
  os << "{content=\"" << d.content << "\", trailers=[";
  for (const auto& [name, value] : d.trailers) os << name << ": " << value << "; ";
  os << "], done=" << d.done << ", failure=" << (d.failure ? token(*d.failure) : "none")
     << ", leftover=\"" << d.leftover << "\"}";
  return os;
}

bool inside(std::string_view part, std::string_view buffer) {
  return part.empty() || (part.data() >= buffer.data() &&
                          part.data() + part.size() <= buffer.data() + buffer.size());
}

// Feeds `input` to a fresh decoder in pieces ending at `cuts` (ascending, the last one at most
// input.size(); the rest follows as a final piece), as a server does: unconsumed bytes stay in
// the buffer and new bytes are appended to them. Content and trailers are copied out before
// the buffer changes, because they are views into it.
decoded feed(std::string_view input, body_framing framing, std::uint64_t content_length,
             const std::vector<std::size_t>& cuts, const limits& l = {}) {
  body_decoder decoder(l);
  decoder.start(framing, content_length);
  decoded out;
  std::string buffer;
  std::size_t at = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(input.size());
  for (std::size_t end : ends) {
    buffer.append(input.substr(at, end - at));
    at = end;
    while (true) {
      body_decoder::result r = decoder.decode(buffer);
      if (r.consumed > buffer.size() || !inside(r.content, buffer)) out.views_inside_buffer = false;
      out.content.append(r.content);
      if (r.failure) {
        out.failure = r.failure;
        return out;
      }
      if (r.done) {
        for (const field_line& f : decoder.trailers()) {
          if (!inside(f.name, buffer) || !inside(f.value, buffer)) out.views_inside_buffer = false;
          out.trailers.emplace_back(f.name, f.value);
        }
        buffer.erase(0, r.consumed);
        out.done = true;
        out.leftover = buffer + std::string(input.substr(at));
        return out;
      }
      buffer.erase(0, r.consumed);
      if (r.consumed == 0) break;
    }
  }
  out.leftover = buffer;
  return out;
}

decoded whole(std::string_view input, body_framing framing = body_framing::chunked,
              std::uint64_t content_length = 0, const limits& l = {}) {
  return feed(input, framing, content_length, {}, l);
}

decoded byte_by_byte(std::string_view input, body_framing framing = body_framing::chunked,
                     std::uint64_t content_length = 0, const limits& l = {}) {
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < input.size(); ++i) cuts.push_back(i);
  return feed(input, framing, content_length, cuts, l);
}

// Whole, every 2-piece split and byte by byte must agree. Reports the cuts that disagree and
// the first disagreement, once per input.
void expect_split_invariant(std::string_view input, body_framing framing = body_framing::chunked,
                            std::uint64_t content_length = 0, const limits& l = {}) {
  const decoded reference = whole(input, framing, content_length, l);
  EXPECT_TRUE(reference.views_inside_buffer);
  std::vector<std::size_t> bad_cuts;
  std::optional<decoded> first_bad;
  for (std::size_t cut = 0; cut <= input.size(); ++cut) {
    decoded split = feed(input, framing, content_length, {cut}, l);
    EXPECT_TRUE(split.views_inside_buffer);
    if (split == reference) continue;
    bad_cuts.push_back(cut);
    if (!first_bad) first_bad = split;
  }
  EXPECT_TRUE(bad_cuts.empty()) << testing::PrintToString(input) << "\n  whole: " << reference
                                << "\n  split at " << bad_cuts.front() << ": " << *first_bad
                                << "\n  disagreeing cuts: " << testing::PrintToString(bad_cuts);
  decoded bytes = byte_by_byte(input, framing, content_length, l);
  EXPECT_EQ(bytes, reference) << "byte by byte: " << testing::PrintToString(input);
  EXPECT_TRUE(bytes.views_inside_buffer);
}

// ----- Content-Length (RFC 9112 §6.2) ------------------------------------------------------

TEST(ContentLengthBody, StopsAtTheLengthAndLeavesTheNextMessage) {
  decoded d = whole("hello worldGET / HTTP/1.1\r\n", body_framing::content_length, 11);
  EXPECT_TRUE(d.done);
  EXPECT_FALSE(d.failure);
  EXPECT_EQ(d.content, "hello world");
  EXPECT_EQ(d.leftover, "GET / HTTP/1.1\r\n");
  EXPECT_TRUE(d.trailers.empty());
}

TEST(ContentLengthBody, SplitAnywhereGivesTheSameContent) {
  expect_split_invariant("hello world\r\n0\r\n\r\nnext", body_framing::content_length, 18);
  expect_split_invariant("0123456789", body_framing::content_length, 4);
}

TEST(ContentLengthBody, CountsWhatItReceived) {
  body_decoder decoder;
  decoder.start(body_framing::content_length, 10);
  body_decoder::result r = decoder.decode("abcd");
  EXPECT_EQ(r.consumed, 4u);
  EXPECT_EQ(r.content, "abcd");
  EXPECT_FALSE(r.done);
  EXPECT_FALSE(decoder.done());
  EXPECT_EQ(decoder.content_received(), 4u);
  r = decoder.decode("efghijklmn");
  EXPECT_EQ(r.consumed, 6u);
  EXPECT_EQ(r.content, "efghij");
  EXPECT_TRUE(r.done);
  EXPECT_TRUE(decoder.done());
  EXPECT_EQ(decoder.content_received(), 10u);
}

TEST(ContentLengthBody, DecodingAfterTheEndConsumesNothing) {
  body_decoder decoder;
  decoder.start(body_framing::content_length, 2);
  ASSERT_TRUE(decoder.decode("ab").done);
  body_decoder::result r = decoder.decode("cd");
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.consumed, 0u);
  EXPECT_TRUE(r.content.empty());
}

TEST(ContentLengthBody, ZeroLengthAndNoFramingAreDoneAtOnce) {
  body_decoder decoder;
  decoder.start(body_framing::content_length, 0);
  EXPECT_TRUE(decoder.done());
  body_decoder::result r = decoder.decode("GET");
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.consumed, 0u);
  decoder.start(body_framing::none, 0);
  EXPECT_TRUE(decoder.done());
  EXPECT_EQ(decoder.finish_at_close(), std::nullopt);
}

TEST(ContentLengthBody, CloseBeforeTheEndIsAnIncompleteBody_RFC9112_8) {
  body_decoder decoder;
  decoder.start(body_framing::content_length, 10);
  decoder.decode("abc");
  EXPECT_EQ(decoder.finish_at_close(), error::incomplete_body);
  decoder.decode("defghij");
  EXPECT_TRUE(decoder.done());
  EXPECT_EQ(decoder.finish_at_close(), std::nullopt);
}

TEST(ContentLengthBody, StartForgetsThePreviousMessage) {
  body_decoder decoder;
  decoder.start(body_framing::chunked, 0);
  ASSERT_TRUE(decoder.decode("0\r\nX: y\r\n\r\n").done);
  ASSERT_EQ(decoder.trailers().size(), 1u);
  decoder.start(body_framing::content_length, 3);
  EXPECT_TRUE(decoder.trailers().empty());
  EXPECT_EQ(decoder.content_received(), 0u);
  EXPECT_FALSE(decoder.done());
}

// ----- until the close (RFC 9112 §6.3 rule 8) ----------------------------------------------

TEST(UntilCloseBody, TakesEverythingAndEndsAtTheClose) {
  body_decoder decoder;
  decoder.start(body_framing::until_close, 0);
  body_decoder::result r = decoder.decode("0\r\n\r\nall of it");
  EXPECT_EQ(r.consumed, 14u);
  EXPECT_EQ(r.content, "0\r\n\r\nall of it");
  EXPECT_FALSE(r.done);
  EXPECT_FALSE(r.failure);
  r = decoder.decode("more");
  EXPECT_EQ(r.content, "more");
  EXPECT_FALSE(decoder.done());
  EXPECT_EQ(decoder.content_received(), 18u);
  EXPECT_EQ(decoder.finish_at_close(), std::nullopt);
}

TEST(UntilCloseBody, EmptyContentIsComplete) {
  body_decoder decoder;
  decoder.start(body_framing::until_close, 0);
  EXPECT_EQ(decoder.finish_at_close(), std::nullopt);
}

TEST(UntilCloseBody, TunnelPassesBytesThrough) {
  body_decoder decoder;
  decoder.start(body_framing::tunnel, 0);
  const std::string bytes = "\x16\x03\x01\0 TLS bytes"s;
  body_decoder::result r = decoder.decode(bytes);
  EXPECT_EQ(r.content, bytes);
  EXPECT_EQ(decoder.finish_at_close(), std::nullopt);
}

// ----- chunked (RFC 9112 §7.1) -------------------------------------------------------------

TEST(ChunkedBody, DecodesChunksAndStopsAfterTheLastChunk) {
  decoded d = whole("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nGET /next");
  EXPECT_TRUE(d.done);
  EXPECT_FALSE(d.failure);
  EXPECT_EQ(d.content, "hello world");
  EXPECT_TRUE(d.trailers.empty());
  EXPECT_EQ(d.leftover, "GET /next");
}

TEST(ChunkedBody, ChunkDataMayHoldAnyOctet) {
  decoded d = whole("4\r\n\r\n\r\n\r\n3\r\n0\r\n\r\n0\r\n\r\n");
  EXPECT_TRUE(d.done);
  EXPECT_EQ(d.content, "\r\n\r\n0\r\n");
  EXPECT_EQ(d.leftover, "");
}

TEST(ChunkedBody, ExtensionsAreValidatedAndIgnored_RFC9112_7_1_1) {
  decoded d = whole("5;a=b;c=\"q\\\"x\"\r\nhello\r\n1;name\r\n!\r\n0;last=\"\"\r\n\r\n");
  EXPECT_TRUE(d.done);
  EXPECT_FALSE(d.failure) << token(*d.failure);
  EXPECT_EQ(d.content, "hello!");
}

TEST(ChunkedBody, BadWhitespaceAroundExtensionsIsAllowed_RFC9112_7_1_1) {
  // chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
  for (std::string size_line : {"5 ;a=b", "5\t;a", "5 ; a = b", "5;a\t=\t\"v\"", "5 ;a ;b"}) {
    decoded d = whole(size_line + "\r\nhello\r\n0\r\n\r\n");
    EXPECT_TRUE(d.done) << size_line;
    EXPECT_FALSE(d.failure) << size_line << ": " << token(*d.failure);
    EXPECT_EQ(d.content, "hello") << size_line;
  }
}

TEST(ChunkedBody, HexDigitsAreCaseInsensitiveWithLeadingZeros) {
  std::string sixteen(16, 'x');
  std::string twenty_six(26, 'y');
  decoded d =
      whole("A\r\n0123456789\r\n0010\r\n" + sixteen + "\r\n1a\r\n" + twenty_six + "\r\n00\r\n\r\n");
  EXPECT_TRUE(d.done);
  EXPECT_FALSE(d.failure);
  EXPECT_EQ(d.content, "0123456789" + sixteen + twenty_six);
  EXPECT_EQ(whole("Ff\r\n" + std::string(255, 'z') + "\r\n0\r\n\r\n").content.size(), 255u);
}

TEST(ChunkedBody, SixteenHexDigitsAreTheLargestSize) {
  // 2^64-1 fits: the size is accepted and only the content limit refuses it.
  limits l;
  l.max_content_length = UINT64_MAX;
  body_decoder decoder(l);
  decoder.start(body_framing::chunked, 0);
  body_decoder::result r = decoder.decode("ffffffffffffffff\r\nabc");
  EXPECT_FALSE(r.failure);
  EXPECT_EQ(r.consumed, 18u);
  r = decoder.decode("abc");
  EXPECT_EQ(r.content, "abc");
  EXPECT_FALSE(decoder.done());
}

TEST(ChunkedBody, LeadingZerosBeyondSixteenDigitsAreStillAValidSize) {
  // chunk-size = 1*HEXDIG: "00000000000000000005" is 5. The verdict must not depend on where
  // the receive buffer was cut; a cut after the seventeenth zero used to reject it as an
  // overflow while the whole line was accepted.
  const std::string input = "00000000000000000005\r\nhello\r\n00000000000000000000\r\n\r\n";
  decoded d = whole(input);
  EXPECT_TRUE(d.done);
  EXPECT_FALSE(d.failure);
  EXPECT_EQ(d.content, "hello");
  expect_split_invariant(input);
}

TEST(ChunkedBody, TrailersAreKeptApartFromContent_RFC9112_7_1_2) {
  decoded d = whole("3\r\nabc\r\n0\r\nExpires: never\r\nX-Checksum:  sha256=xyz \r\n\r\nnext");
  EXPECT_TRUE(d.done);
  EXPECT_FALSE(d.failure);
  EXPECT_EQ(d.content, "abc");
  EXPECT_EQ(d.trailers, (trailer_list{{"Expires", "never"}, {"X-Checksum", "sha256=xyz"}}));
  EXPECT_EQ(d.leftover, "next");
  EXPECT_TRUE(d.views_inside_buffer);
}

TEST(ChunkedBody, TrailersNeverReachTheHead_RFC9110_6_5_1) {
  const std::string message =
      "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n"
      "5\r\nhello\r\n0\r\nX-Sum: 42\r\nHost: evil\r\n\r\n";
  request_parser parser;
  parse_result head = parser.parse(message);
  ASSERT_EQ(head.state, parse_state::complete);
  ASSERT_EQ(parser.head().framing, body_framing::chunked);
  body_decoder decoder;
  decoder.start(parser.head().framing, parser.head().content_length);
  std::string_view rest = std::string_view(message).substr(head.consumed);
  std::string content;
  while (!decoder.done()) {
    body_decoder::result r = decoder.decode(rest);
    ASSERT_FALSE(r.failure);
    ASSERT_TRUE(r.consumed > 0 || r.done);
    content.append(r.content);
    rest.remove_prefix(r.consumed);
  }
  EXPECT_EQ(content, "hello");
  ASSERT_EQ(decoder.trailers().size(), 2u);
  EXPECT_EQ(decoder.trailers()[0].name, "X-Sum");
  EXPECT_EQ(decoder.trailers()[0].value, "42");
  EXPECT_EQ(parser.head().fields.size(), 3u);
  EXPECT_EQ(parser.head().find("X-Sum"), std::nullopt);
  EXPECT_EQ(parser.head().count("Host"), 1u);
  EXPECT_EQ(parser.head().find("Host"), "a");
  EXPECT_EQ(parser.head().authority, "a");
}

TEST(ChunkedBody, TrailerSectionIsAcceptedOnlyWhenWhole) {
  body_decoder decoder;
  decoder.start(body_framing::chunked, 0);
  body_decoder::result r = decoder.decode("0\r\nX: 1\r\n");
  EXPECT_EQ(r.consumed, 3u);  // the last-chunk line
  EXPECT_FALSE(r.done);
  r = decoder.decode("X: 1\r\n");
  EXPECT_EQ(r.consumed, 0u);
  EXPECT_FALSE(r.done);
  EXPECT_TRUE(decoder.trailers().empty());
  r = decoder.decode("X: 1\r\n\r\n");
  EXPECT_EQ(r.consumed, 8u);
  EXPECT_TRUE(r.done);
  ASSERT_EQ(decoder.trailers().size(), 1u);
}

TEST(ChunkedBody, ChunksUpToTheContentLimitAreAccepted) {
  limits l;
  l.max_content_length = 10;
  decoded d = whole("4\r\nabcd\r\n6\r\nefghij\r\n0\r\n\r\n", body_framing::chunked, 0, l);
  EXPECT_TRUE(d.done);
  EXPECT_FALSE(d.failure);
  EXPECT_EQ(d.content, "abcdefghij");
}

TEST(ChunkedBody, ExtensionsUpToTheLimitAreAccepted) {
  limits l;
  l.max_chunk_extensions = 8;
  decoded d = whole("5;abcdefg\r\nhello\r\n0\r\n\r\n", body_framing::chunked, 0, l);  // 8 octets
  EXPECT_FALSE(d.failure) << token(*d.failure);
  EXPECT_TRUE(d.done);
}

TEST(ChunkedBody, TrailerSectionUpToTheLimitIsAccepted) {
  limits l;
  l.max_trailer_section = 32;
  std::string field = "X: " + std::string(27, 'v') + "\r\n";  // 32 octets of field lines
  ASSERT_EQ(field.size(), 32u);
  decoded d = whole("0\r\n" + field + "\r\n", body_framing::chunked, 0, l);
  EXPECT_FALSE(d.failure) << token(*d.failure);
  EXPECT_TRUE(d.done);
}

TEST(ChunkedBody, TrailerSectionOneOctetOverTheLimitIs431) {
  limits l;
  l.max_trailer_section = 32;
  std::string field = "X: " + std::string(28, 'v') + "\r\n";  // 33 octets of field lines
  ASSERT_EQ(field.size(), 33u);
  decoded d = whole("0\r\n" + field + "\r\n", body_framing::chunked, 0, l);
  ASSERT_TRUE(d.failure) << d;
  EXPECT_EQ(*d.failure, error::trailer_section_too_large) << token(*d.failure);
}

TEST(ChunkedBody, AnInvalidSizeLineGetsOneVerdictWhereverTheBufferIsCut) {
  // The error reported for the same bytes must not depend on how they arrived: "-5\n" is
  // both a bad size and a bare LF, and the decoder must settle on one of them.
  expect_split_invariant("-5\nhello\r\n0\r\n\r\n");
  expect_split_invariant("x\n0\r\n\r\n");
}

TEST(ChunkedBody, CloseBeforeTheLastChunkIsAnIncompleteBody) {
  for (std::string_view received : {"", "5\r\nhel", "5\r\nhello\r\n", "5\r\nhello\r\n0\r\n"}) {
    body_decoder decoder;
    decoder.start(body_framing::chunked, 0);
    body_decoder::result r = decoder.decode(received);
    ASSERT_FALSE(r.failure);
    EXPECT_EQ(decoder.finish_at_close(), error::incomplete_body) << received;
  }
}

// ----- invalid chunked framing ------------------------------------------------------------

struct invalid_case {
  std::string name;
  std::string input;
  error expected;
  limits bounds = {};
};

std::ostream& operator<<(std::ostream& os, const invalid_case& c) {
  return os << c.name;
}

limits with_extensions(std::size_t n) {
  limits l;
  l.max_chunk_extensions = n;
  return l;
}
limits with_trailer_section(std::size_t n) {
  limits l;
  l.max_trailer_section = n;
  return l;
}
limits with_content(std::uint64_t n) {
  limits l;
  l.max_content_length = n;
  return l;
}

class InvalidChunkedFraming : public testing::TestWithParam<invalid_case> {};

TEST_P(InvalidChunkedFraming, IsRejectedWithItsError) {
  const invalid_case& c = GetParam();
  decoded d = whole(c.input, body_framing::chunked, 0, c.bounds);
  ASSERT_TRUE(d.failure) << d;
  EXPECT_EQ(*d.failure, c.expected)
      << "got " << token(*d.failure) << ", want " << token(c.expected);
  EXPECT_FALSE(d.done);
  EXPECT_TRUE(info(*d.failure).close);
}

TEST_P(InvalidChunkedFraming, IsRejectedTheSameByteByByte) {
  const invalid_case& c = GetParam();
  decoded d = byte_by_byte(c.input, body_framing::chunked, 0, c.bounds);
  ASSERT_TRUE(d.failure) << d;
  EXPECT_EQ(*d.failure, c.expected)
      << "got " << token(*d.failure) << ", want " << token(c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc9112_7_1, InvalidChunkedFraming,
    testing::Values(
        invalid_case{"HexPrefix", "0x5\r\nhello\r\n0\r\n\r\n", error::invalid_chunk_size},
        invalid_case{"NegativeSize", "-5\r\nhello\r\n0\r\n\r\n", error::invalid_chunk_size},
        invalid_case{"PlusSign", "+5\r\nhello\r\n0\r\n\r\n", error::invalid_chunk_size},
        invalid_case{"TrailingSpace", "5 \r\nhello\r\n0\r\n\r\n", error::invalid_chunk_size},
        invalid_case{"LeadingSpace", " 5\r\nhello\r\n0\r\n\r\n", error::invalid_chunk_size},
        invalid_case{"NotHex", "5g\r\nhello\r\n0\r\n\r\n", error::invalid_chunk_size},
        invalid_case{"EmptySizeLine", "\r\nhello\r\n0\r\n\r\n", error::invalid_chunk_size},
        invalid_case{"LfOnlySizeLine_RFC9112_2_2", "5\nhello\r\n0\r\n\r\n", error::bare_lf},
        invalid_case{"LfOnlyAfterExtension", "5;a=b\nhello\r\n0\r\n\r\n", error::bare_lf},
        invalid_case{"LfOnlyLastChunk", "5\r\nhello\r\n0\n\r\n", error::bare_lf},
        invalid_case{"DataFollowedByLfOnly", "5\r\nhello\n0\r\n\r\n", error::bare_lf},
        invalid_case{"DataNotFollowedByCrlf", "5\r\nhelloX\r\n0\r\n\r\n",
                     error::missing_chunk_terminator},
        invalid_case{"DataFollowedByCrOnly", "5\r\nhello\rX0\r\n\r\n",
                     error::missing_chunk_terminator},
        invalid_case{"DataLongerThanItsSize", "3\r\nhello\r\n0\r\n\r\n",
                     error::missing_chunk_terminator},
        invalid_case{"SeventeenHexDigitsOverflow", "10000000000000000\r\nx\r\n0\r\n\r\n",
                     error::chunk_size_overflow},
        invalid_case{"TwentyHexDigitsOverflow", "fffffffffffffffffff0\r\nx\r\n0\r\n\r\n",
                     error::chunk_size_overflow},
        invalid_case{"ExtensionWithoutName", "5;\r\nhello\r\n0\r\n\r\n",
                     error::invalid_chunk_extension},
        invalid_case{"ExtensionWithOnlyValue", "5;=x\r\nhello\r\n0\r\n\r\n",
                     error::invalid_chunk_extension},
        invalid_case{"ExtensionWithEmptyValue", "5;a=\r\nhello\r\n0\r\n\r\n",
                     error::invalid_chunk_extension},
        invalid_case{"ExtensionWithUnterminatedQuote", "5;a=\"q\\\"\r\nhello\r\n0\r\n\r\n",
                     error::invalid_chunk_extension},
        invalid_case{"ExtensionNamesSeparatedBySpace", "5;a b\r\nhello\r\n0\r\n\r\n",
                     error::invalid_chunk_extension},
        invalid_case{"ExtensionValueFollowedByJunk", "5;a=b\"c\"\r\nhello\r\n0\r\n\r\n",
                     error::invalid_chunk_extension},
        invalid_case{"ExtensionsBeyondTheLimit", "5;abcdefgh\r\nhello\r\n0\r\n\r\n",
                     error::chunk_extension_too_long, with_extensions(8)},
        invalid_case{"EndlessExtensionsBeyondTheLimit", "5;a" + std::string(64, 'b'),
                     error::chunk_extension_too_long, with_extensions(8)},
        invalid_case{"TrailerSectionBeyondTheLimit_431",
                     "0\r\nX-A: " + std::string(40, 'a') + "\r\nX-B: b\r\n\r\n",
                     error::trailer_section_too_large, with_trailer_section(32)},
        invalid_case{"EndlessTrailerSection_431", "0\r\nX: " + std::string(64, 'a'),
                     error::trailer_section_too_large, with_trailer_section(32)},
        invalid_case{"ChunkBeyondTheContentLimit_413", "b\r\nhello world\r\n0\r\n\r\n",
                     error::content_too_large, with_content(10)},
        invalid_case{"ChunksAddingUpBeyondTheContentLimit_413",
                     "5\r\nhello\r\n5\r\nworld\r\n1\r\n!\r\n0\r\n\r\n", error::content_too_large,
                     with_content(10)},
        invalid_case{"ObsFoldedTrailer_RFC9112_5_2", "0\r\nX: a\r\n b\r\n\r\n", error::obs_fold},
        invalid_case{"LfOnlyTrailer", "0\r\nX: a\n\r\n", error::bare_lf},
        invalid_case{"LfOnlyTrailerSectionEnd", "0\r\nX: a\r\n\n", error::bare_lf},
        invalid_case{"TrailerWithoutColon", "0\r\nX a\r\n\r\n", error::missing_colon},
        invalid_case{"TrailerWithSpaceBeforeColon", "0\r\nX : a\r\n\r\n",
                     error::whitespace_before_colon},
        invalid_case{"TrailerWithNul", "0\r\nX: a\0b\r\n\r\n"s, error::invalid_field_value}),
    [](const testing::TestParamInfo<invalid_case>& i) { return i.param.name; });

TEST(InvalidChunkedStatus, LimitsMapToTheirStatuses) {
  EXPECT_EQ(status_of(error::trailer_section_too_large),
            core::status::request_header_fields_too_large);
  EXPECT_EQ(status_of(error::content_too_large), core::status::content_too_large);
  EXPECT_EQ(status_of(error::chunk_extension_too_long), core::status::bad_request);
  EXPECT_EQ(status_of(error::chunk_size_overflow), core::status::bad_request);
}

TEST(InvalidChunked, EndlessSizeLineIsRejectedBeforeItEnds) {
  // A peer that never sends LF cannot make the decoder wait for more than a size line's worth.
  limits l = with_extensions(8);
  body_decoder decoder(l);
  decoder.start(body_framing::chunked, 0);
  std::string endless = "5;a=" + std::string(100, 'b');
  body_decoder::result r = decoder.decode(endless);
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(*r.failure, error::chunk_extension_too_long);
}

// ----- the split property --------------------------------------------------------------------

const std::vector<std::string>& valid_chunked_bodies() {
  static const std::vector<std::string> bodies = {
      "0\r\n\r\n",
      "5\r\nhello\r\n0\r\n\r\n",
      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nnext request",
      "5;a=b;c=\"q\\\"x\"\r\nhello\r\n0\r\n\r\n",
      "5 ;a = b\r\nhello\r\n0;z\r\n\r\n",
      "A\r\n0123456789\r\n0010\r\n0123456789abcdef\r\n00\r\n\r\n",
      "3\r\nabc\r\n0\r\nExpires: never\r\nX-Checksum: sha256=xyz\r\n\r\n",
      "4\r\n\r\n\r\n\r\n0\r\nX:\r\n\r\n",
      "1\r\n\n\r\n2\r\n\r\r\r\n0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\nGET / HTTP/1.1\r\n",
  };
  return bodies;
}

TEST(ChunkedSplits, EveryTwoPieceSplitAndByteByByteGiveTheWholeResult) {
  for (const std::string& body : valid_chunked_bodies()) {
    decoded reference = whole(body);
    ASSERT_TRUE(reference.done) << body;
    ASSERT_FALSE(reference.failure) << body;
    expect_split_invariant(body);
  }
}

// A valid chunked body made of random chunks, extensions and trailers, with what it encodes.
struct generated_body {
  std::string wire;
  std::string content;
  trailer_list trailers;
};

generated_body generate(std::mt19937& rng) {
  auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  static constexpr std::string_view hex_lower = "0123456789abcdef";
  static constexpr std::string_view hex_upper = "0123456789ABCDEF";
  generated_body g;
  const int chunks = pick(5);
  for (int i = 0; i <= chunks; ++i) {
    const bool last = i == chunks;
    std::size_t size = last ? 0 : 1 + static_cast<std::size_t>(pick(40));
    std::string digits;
    for (std::size_t s = size; s != 0; s >>= 4)
      digits.insert(digits.begin(), (pick(2) ? hex_upper : hex_lower)[s & 0xf]);
    if (digits.empty()) digits = "0";
    g.wire += std::string(static_cast<std::size_t>(pick(3)), '0') + digits;
    for (int e = pick(3); e > 0; --e) {
      g.wire += pick(2) ? " ;" : ";";
      g.wire += "ext" + std::to_string(pick(100));
      switch (pick(3)) {
        case 0:
          break;
        case 1:
          g.wire += "=tok";
          break;
        default:
          g.wire += " = \"quoted \\\" ;\"";
          break;
      }
    }
    g.wire += "\r\n";
    if (last) break;
    std::string data;
    for (std::size_t k = 0; k < size; ++k) data.push_back(static_cast<char>(pick(256)));
    g.wire += data + "\r\n";
    g.content += data;
  }
  for (int t = pick(3); t > 0; --t) {
    std::string name = "X-T" + std::to_string(t);
    std::string value = "v" + std::to_string(pick(1000));
    g.wire += name + ":" + std::string(static_cast<std::size_t>(pick(3)), ' ') + value + "\r\n";
    g.trailers.emplace_back(name, value);
  }
  g.wire += "\r\n";
  return g;
}

TEST(ChunkedSplits, RandomValidBodiesDecodeTheSameInAnyPieces) {
  std::mt19937 rng(20240607);
  for (int round = 0; round < 200; ++round) {
    generated_body g = generate(rng);
    const std::string wire = g.wire + "NEXT";
    decoded reference = whole(wire);
    ASSERT_FALSE(reference.failure)
        << testing::PrintToString(wire) << ": " << token(*reference.failure);
    ASSERT_TRUE(reference.done) << testing::PrintToString(wire);
    EXPECT_EQ(reference.content, g.content);
    EXPECT_EQ(reference.trailers, g.trailers);
    EXPECT_EQ(reference.leftover, "NEXT");
    expect_split_invariant(wire);
  }
}

}  // namespace
}  // namespace herald::http1
