// Fuzzes request_parser and, after each head, body_decoder on what follows.
//
// Input: one control byte, then the bytes a client sent.
//   control bit 7:    tight limits (so the limit checks are reached by short inputs)
//   control bits 0-6: where the receive buffer is cut in two (0 = nothing first, 127 = all)
//
// Invariants:
// - Parsing the bytes whole and in two pieces (the second call sees the first piece plus the
//   rest, in a new buffer) gives the same verdict: state, consumed and failure, and on
//   completion the same head.
// - A complete head's views lie inside the head; names are tokens; values satisfy
//   core::syntax::is_field_value; the framing is one a request can have.
// - A rejection names an error whose status is 4xx/5xx.
// - The body decoder never consumes more than it was given, its content lies inside its input,
//   a Content-Length body delivers exactly that many octets, and trailers are field lines.
// Pipelined requests are parsed one after another, as a server would.

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
  std::string method, target, path, query, authority, expect;
  std::vector<std::string> fields;
  int version_minor = 0;
  body_framing framing = body_framing::none;
  std::uint64_t content_length = 0;
  bool keep_alive = false, upgrade = false, has_query = false;
  bool operator==(const head_copy&) const = default;
};

head_copy copy_of(const request_head& h) {
  head_copy c{std::string(h.method),
              std::string(h.target),
              std::string(h.path),
              std::string(h.query),
              std::string(h.authority),
              std::string(h.expect),
              {},
              h.version_minor,
              h.framing,
              h.content_length,
              h.keep_alive,
              h.connection_upgrade,
              h.has_query};
  for (const field_line& f : h.fields) {
    c.fields.emplace_back(f.name);
    c.fields.back().append(":").append(f.value);
  }
  return c;
}

void check_head(const request_head& h, std::string_view head, const limits& l) {
  check(syntax::is_token(h.method));
  check(inside(h.method, head) && inside(h.target, head) && inside(h.query, head) &&
        inside(h.scheme, head) && inside(h.authority, head) && inside(h.expect, head));
  // An absolute-form target without a path routes as "/", held in static storage.
  check(inside(h.path, head) || h.path == "/");
  check(!h.target.empty());
  check(h.version_minor == 0 || h.version_minor == 1);
  for (const field_line& f : h.fields) {
    check(inside(f.name, head) && inside(f.value, head));
    check(syntax::is_token(f.name));
    check(syntax::is_field_value(f.value));
  }
  check(h.framing == body_framing::none || h.framing == body_framing::content_length ||
        h.framing == body_framing::chunked);
  if (h.framing == body_framing::content_length)
    check(h.content_length > 0 && h.content_length <= l.max_content_length);
  if (h.version_minor == 1) check(h.count("Host") == 1);
}

// Decodes the content of the request whose head was just parsed; returns how much of `rest`
// it used, or nothing when the connection cannot continue (failure or need for more bytes).
bool decode_body(const request_head& h, const limits& l, std::string_view& rest) {
  body_decoder decoder(l);
  decoder.start(h.framing, h.content_length);
  std::uint64_t delivered = 0;
  while (true) {
    body_decoder::result r = decoder.decode(rest);
    check(r.consumed <= rest.size());
    check(inside(r.content, rest.substr(0, r.consumed)));
    check(r.content.size() <= r.consumed);
    delivered += r.content.size();
    check(decoder.content_received() == delivered);
    if (r.failure) {
      check(!r.done);
      const int status = herald::core::to_int(status_of(*r.failure));
      check(status >= 400 && status <= 599);
      return false;
    }
    if (r.done) {
      check(decoder.done());
      check(decoder.finish_at_close() == std::nullopt);
      if (h.framing == body_framing::content_length) check(delivered == h.content_length);
      if (h.framing == body_framing::chunked) check(delivered <= l.max_content_length);
      for (const field_line& f : decoder.trailers()) {
        check(inside(f.name, rest.substr(0, r.consumed)) &&
              inside(f.value, rest.substr(0, r.consumed)));
        check(syntax::is_token(f.name) && syntax::is_field_value(f.value));
      }
      rest.remove_prefix(r.consumed);
      return true;
    }
    rest.remove_prefix(r.consumed);
    if (r.consumed == 0) {
      check(decoder.finish_at_close() == error::incomplete_body);
      return false;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t control = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  const limits l = (control & 0x80) != 0 ? tight_limits() : limits{};
  const std::size_t cut = (control & 0x7f) * input.size() / 127;

  request_parser whole(l);
  const parse_result a = whole.parse(input);

  request_parser pieces(l);
  // The first piece keeps its own buffer: a head completed there must point into it, and a
  // head completed on the second call must point into the second buffer only.
  const std::string first(input.substr(0, cut));
  const std::string all(input);
  parse_result b = pieces.parse(first);
  const bool completed_first = b.state == parse_state::complete;
  if (b.state == parse_state::need_more) b = pieces.parse(all);

  check(a.state == b.state);
  check(a.consumed == b.consumed);
  if (a.state == parse_state::rejected) {
    check(a.failure == b.failure);
    const int status = herald::core::to_int(status_of(a.failure));
    check(status >= 400 && status <= 599);
  }
  if (a.state != parse_state::complete) return 0;
  check(a.consumed >= 4 && a.consumed <= input.size());
  check(input.substr(a.consumed - 2, 2) == "\r\n");
  check_head(whole.head(), input.substr(0, a.consumed), l);
  if (b.state == parse_state::complete) {
    check_head(pieces.head(), std::string_view(completed_first ? first : all).substr(0, b.consumed),
               l);
    check(copy_of(whole.head()) == copy_of(pieces.head()));
  }

  // The content, then any pipelined requests after it.
  std::string_view rest = input.substr(a.consumed);
  if (!decode_body(whole.head(), l, rest)) return 0;
  for (int pipelined = 0; pipelined < 4 && !rest.empty(); ++pipelined) {
    whole.reset();
    parse_result next = whole.parse(rest);
    if (next.state != parse_state::complete) return 0;
    check(next.consumed <= rest.size());
    check_head(whole.head(), rest.substr(0, next.consumed), l);
    rest.remove_prefix(next.consumed);
    if (!decode_body(whole.head(), l, rest)) return 0;
  }
  return 0;
}
