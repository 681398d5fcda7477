// Fuzzes body_decoder on the chunked transfer coding (RFC 9112 §7.1).
//
// Input: one control byte, then the bytes that follow a head with Transfer-Encoding: chunked.
//   control bit 0: tight limits (so the limit checks are reached by short inputs)
//
// The input is decoded twice: whole, and byte by byte as a server whose reads return one octet
// each (unconsumed bytes stay in the buffer, new ones are appended). Both must deliver the same
// content, end in the same state (done, failed with the same error, or waiting for more), keep
// the same trailers and leave the same bytes unconsumed (after a failure the connection closes,
// so what is left over does not matter). Along the way: consumed never exceeds
// the input, content and trailers are views into the input, trailers are valid field lines, and
// the content never exceeds max_content_length.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <herald/core/syntax.hpp>
#include <herald/http1/parser.hpp>

#include "fuzz_support.hpp"

namespace {

using namespace herald::http1;
namespace syntax = herald::core::syntax;

using herald::fuzz::check;

// Empty views may point anywhere (a parser returns {} for an absent part).
bool inside(std::string_view part, std::string_view buffer) {
  return part.empty() || herald::fuzz::points_into(part, buffer);
}

limits tight_limits() {
  limits l;
  l.max_chunk_extensions = 12;
  l.max_trailer_section = 40;
  l.max_content_length = 64;
  return l;
}

enum class ending : std::uint8_t { done, failed, need_more };

struct outcome {
  std::string content;
  ending end = ending::need_more;
  std::optional<error> failure;
  std::vector<std::pair<std::string, std::string>> trailers;
  std::string leftover;
  bool operator==(const outcome&) const = default;
};

// Runs the decoder over `buffer` until it needs more input; false when it has finished.
bool drain(body_decoder& decoder, const limits& l, std::string& buffer, outcome& out) {
  while (true) {
    body_decoder::result r = decoder.decode(buffer);
    check(r.consumed <= buffer.size());
    check(inside(r.content, std::string_view(buffer).substr(0, r.consumed)));
    out.content.append(r.content);
    check(out.content.size() <= l.max_content_length);
    check(decoder.content_received() == out.content.size());
    if (r.failure) {
      check(!r.done);
      const int status = herald::core::to_int(status_of(*r.failure));
      check(status >= 400 && status <= 599);
      out.end = ending::failed;
      out.failure = r.failure;
      return false;
    }
    if (r.done) {
      check(decoder.done());
      check(decoder.finish_at_close() == std::nullopt);
      for (const field_line& f : decoder.trailers()) {
        check(inside(f.name, buffer) && inside(f.value, buffer));
        check(syntax::is_token(f.name) && syntax::is_field_value(f.value));
        out.trailers.emplace_back(f.name, f.value);
      }
      buffer.erase(0, r.consumed);
      out.end = ending::done;
      return false;
    }
    buffer.erase(0, r.consumed);
    if (r.consumed == 0) {
      check(decoder.finish_at_close() == error::incomplete_body);
      return true;
    }
  }
}

outcome decode_whole(std::string_view input, const limits& l) {
  body_decoder decoder(l);
  decoder.start(body_framing::chunked, 0);
  outcome out;
  std::string buffer(input);
  drain(decoder, l, buffer, out);
  if (out.end != ending::failed) out.leftover = buffer;
  return out;
}

outcome decode_byte_by_byte(std::string_view input, const limits& l) {
  body_decoder decoder(l);
  decoder.start(body_framing::chunked, 0);
  outcome out;
  std::string buffer;
  std::size_t at = 0;
  while (at < input.size()) {
    buffer.push_back(input[at++]);
    if (!drain(decoder, l, buffer, out)) break;
  }
  if (out.end != ending::failed) out.leftover = buffer + std::string(input.substr(at));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const limits l = (data[0] & 1) != 0 ? tight_limits() : limits{};
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  const outcome whole = decode_whole(input, l);
  const outcome bytes = decode_byte_by_byte(input, l);
  check(whole == bytes);
  return 0;
}
