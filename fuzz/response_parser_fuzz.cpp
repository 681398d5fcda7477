// Fuzzes response_parser and, after each head, body_decoder on what follows.
//
// Input: one control byte, then the bytes a server sent.
//   control % 3:       the request method: GET, HEAD or CONNECT
//   (control / 3) % 2: tight limits (so the limit checks are reached by short inputs)
//   control / 6:       where the receive buffer is cut in two (0 = nothing first, 42 = all)
//
// Invariants:
// - Parsing the bytes whole and in two pieces (the second call sees the first piece plus the
//   rest, in a new buffer) gives the same verdict: state, consumed and failure, and on
//   completion the same head.
// - A complete head has a three-digit status, a reason and field views inside the head,
//   token names, values that satisfy core::syntax::is_field_value, and the framing
//   RFC 9112 §6.3 gives its method and status.
// - The body decoder never consumes more than it was given; a close-delimited or tunnelled
//   body is complete at the close, any other unfinished body is not.
// Interim (1xx) responses are followed by the next response, as a client reads them.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
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
  l.max_request_line = 48;
  l.max_header_section = 96;
  l.max_field_count = 6;
  l.max_chunk_extensions = 12;
  l.max_trailer_section = 40;
  l.max_content_length = 64;
  return l;
}

struct head_copy {
  int status = 0;
  std::string reason;
  int version_minor = 0;
  std::vector<std::string> fields;
  body_framing framing = body_framing::none;
  std::uint64_t content_length = 0;
  bool keep_alive = false;
  bool operator==(const head_copy&) const = default;
};

head_copy copy_of(const response_head& h) {
  head_copy c{h.status,  std::string(h.reason), h.version_minor, {},
              h.framing, h.content_length,      h.keep_alive};
  for (const field_line& f : h.fields) {
    c.fields.emplace_back(f.name);
    c.fields.back().append(":").append(f.value);
  }
  return c;
}

void check_head(const response_head& h, std::string_view head, std::string_view method) {
  check(h.status >= 0 && h.status <= 999);
  check(h.version_minor == 0 || h.version_minor == 1);
  check(inside(h.reason, head));
  for (char c : h.reason) check(c == '\t' || c == ' ' || syntax::is_field_vchar(c));
  for (const field_line& f : h.fields) {
    check(inside(f.name, head) && inside(f.value, head));
    check(syntax::is_token(f.name));
    check(syntax::is_field_value(f.value));
  }
  // RFC 9112 §6.3 rules 1 and 2.
  const int s = h.status;
  if (method == "HEAD" || (s >= 100 && s < 200 && s != 101) || s == 204 || s == 304)
    check(h.framing == body_framing::none);
  else if (s == 101 || (method == "CONNECT" && s >= 200 && s < 300))
    check(h.framing == body_framing::tunnel);
  if (h.framing == body_framing::content_length) check(h.content_length > 0);
  if (h.framing == body_framing::until_close) check(!h.keep_alive);
}

void decode_body(const response_head& h, const limits& l, std::string_view rest) {
  body_decoder decoder(l);
  decoder.start(h.framing, h.content_length);
  const bool close_delimited =
      h.framing == body_framing::until_close || h.framing == body_framing::tunnel;
  const std::size_t offered = rest.size();
  std::uint64_t delivered = 0;
  while (true) {
    body_decoder::result r = decoder.decode(rest);
    check(r.consumed <= rest.size());
    check(inside(r.content, rest.substr(0, r.consumed)));
    delivered += r.content.size();
    check(decoder.content_received() == delivered);
    if (r.failure) {
      check(!close_delimited && !r.done);
      return;
    }
    if (r.done) {
      check(!close_delimited);
      if (h.framing == body_framing::content_length) check(delivered == h.content_length);
      for (const field_line& f : decoder.trailers())
        check(syntax::is_token(f.name) && syntax::is_field_value(f.value));
      check(decoder.finish_at_close() == std::nullopt);
      return;
    }
    rest.remove_prefix(r.consumed);
    if (r.consumed == 0) {
      // The server closes here: a close-delimited body got every octet.
      std::optional<error> at_close = decoder.finish_at_close();
      check(close_delimited ? !at_close : at_close == error::incomplete_body);
      if (close_delimited) check(delivered == offered);
      return;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr std::string_view methods[] = {"GET", "HEAD", "CONNECT"};
  const std::uint8_t control = data[0];
  const std::string_view method = methods[control % 3];
  const limits l = (control / 3) % 2 != 0 ? tight_limits() : limits{};
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::size_t cut = (control / 6) * input.size() / 42;

  response_parser whole(l);
  const parse_result a = whole.parse(input, method);

  response_parser pieces(l);
  // The first piece keeps its own buffer: a head completed there must point into it, and a
  // head completed on the second call must point into the second buffer only.
  const std::string first(input.substr(0, cut));
  const std::string all(input);
  parse_result b = pieces.parse(first, method);
  const bool completed_first = b.state == parse_state::complete;
  if (b.state == parse_state::need_more) b = pieces.parse(all, method);

  check(a.state == b.state);
  check(a.consumed == b.consumed);
  if (a.state == parse_state::rejected) check(a.failure == b.failure);
  if (a.state != parse_state::complete) return 0;
  check(a.consumed > 0 && a.consumed <= input.size());
  check(input[a.consumed - 1] == '\n');
  check_head(whole.head(), input.substr(0, a.consumed), method);
  check_head(pieces.head(), std::string_view(completed_first ? first : all).substr(0, b.consumed),
             method);
  check(copy_of(whole.head()) == copy_of(pieces.head()));

  // Interim responses come before the final one (RFC 9110 §15.2).
  std::string_view rest = input.substr(a.consumed);
  for (int interim = 0; interim < 4 && whole.head().interim(); ++interim) {
    whole.reset();
    parse_result next = whole.parse(rest, method);
    if (next.state != parse_state::complete) return 0;
    check(next.consumed <= rest.size());
    check_head(whole.head(), rest.substr(0, next.consumed), method);
    rest.remove_prefix(next.consumed);
  }
  decode_body(whole.head(), l, rest);
  return 0;
}
