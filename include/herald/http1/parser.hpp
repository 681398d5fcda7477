#pragma once
// The HTTP/1.1 parser (RFC 9112): bytes in, events out, no I/O. It never copies the message
// head: the head's views point into the caller's buffer. Feeding is incremental: the caller
// appends bytes to one buffer and calls parse() again with the whole of it; the parser resumes
// where it stopped and never scans the same bytes twice for the end of the head.
//
// Policy (documented in the README's parser rules):
// - Requests are parsed strictly: CRLF only (a bare LF or bare CR is rejected, because
//   front ends that disagree about line ends are the root of request smuggling), exactly one SP
//   between the parts of the request line, no obs-fold, no whitespace before a colon.
// - Responses are parsed as clients in the field do: a bare LF ends a line (RFC 9112 §2.2 MAY).
// - At least one empty line before a request line is ignored (RFC 9112 §2.2 SHOULD).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <herald/http1/error.hpp>
#include <herald/http1/message.hpp>

namespace herald::http1 {

// Each limit maps to its status (see error.hpp). Defaults are at or above RFC 9112 §3's
// recommended minimum of 8000 octets for the request line.
struct limits {
  std::size_t max_request_line = 8192;      // 414
  std::size_t max_header_section = 65536;   // 431: field lines, after the request line
  std::size_t max_field_count = 128;        // 431
  std::size_t max_chunk_extensions = 1024;  // 400: per chunk
  std::size_t max_trailer_section = 16384;  // 431
  std::uint64_t max_content_length = std::uint64_t{1} << 30;  // 413: declared or chunked total
};

enum class parse_state : std::uint8_t { need_more, complete, rejected };

struct parse_result {
  parse_state state = parse_state::need_more;
  std::size_t consumed = 0;  // complete: the length of the head, including the empty line
  error failure{};           // rejected: why

  static parse_result need_more() { return {}; }
  static parse_result complete(std::size_t n) { return {parse_state::complete, n, {}}; }
  static parse_result rejected(error e) { return {parse_state::rejected, 0, e}; }
};

class request_parser {
 public:
  explicit request_parser(const limits& l = {}) : limits_(l) {}

  // `buffer` holds every byte received since the start of this request: the same bytes as
  // the previous call, plus any that arrived since. On `complete`, head() describes the
  // request, and the content (if any) starts at buffer[consumed].
  parse_result parse(std::string_view buffer);
  const request_head& head() const { return head_; }

  // Forget the current request; the next parse() starts a new one. Keeps allocated capacity.
  void reset();

 private:
  parse_result scan(std::string_view buffer);
  parse_result parse_complete_head(std::string_view head);

  limits limits_;
  request_head head_;
  std::size_t scanned_ = 0;       // bytes known to hold no end of head
  std::size_t line_start_ = 0;    // start of the line being scanned
  std::size_t request_line_start_ = 0;
  std::size_t section_start_ = 0;  // first byte after the request line
  bool in_request_line_ = true;
};

class response_parser {
 public:
  explicit response_parser(const limits& l = {}) : limits_(l) {}

  // As request_parser::parse. `request_method` decides the framing: no content for HEAD,
  // a tunnel for a 2xx to CONNECT (RFC 9112 §6.3).
  parse_result parse(std::string_view buffer, std::string_view request_method);
  const response_head& head() const { return head_; }
  void reset();

 private:
  parse_result parse_complete_head(std::string_view head, std::string_view request_method);

  limits limits_;
  response_head head_;
  std::size_t scanned_ = 0;
};

// Decodes a message's content as its framing says, one piece at a time. Content pieces are
// views into the input, never copies.
class body_decoder {
 public:
  explicit body_decoder(const limits& l = {}) : limits_(l) {}

  void start(body_framing framing, std::uint64_t content_length);

  struct result {
    std::size_t consumed = 0;     // input octets used (framing and content)
    std::string_view content;     // content decoded by this call; may be empty
    bool done = false;            // the message is complete
    std::optional<error> failure;  // the framing is broken; the connection must close
  };

  // Call repeatedly with the unconsumed input. The chunked trailer section must be whole in
  // `input` before it is accepted (the decoder answers with consumed == 0 until then).
  result decode(std::string_view input);

  // For until_close framing: the peer closed the connection. Returns an error if the message
  // was still incomplete (a body shorter than announced is never a success).
  std::optional<error> finish_at_close() const;

  const std::vector<field_line>& trailers() const { return trailers_; }
  std::uint64_t content_received() const { return received_; }
  bool done() const { return state_ == state::done; }

 private:
  // A chunk-size line and the trailer section are parsed once they are whole in the input;
  // both are bounded by limits, so waiting for them costs bounded memory.
  enum class state : std::uint8_t {
    length,
    until_close,
    chunk_size_line,
    chunk_data,
    chunk_data_end,
    trailers,
    done,
  };
  result decode_chunk_size_line(std::string_view input);
  result decode_trailers(std::string_view input);

  limits limits_;
  state state_ = state::done;
  std::uint64_t remaining_ = 0;  // in the current chunk, or of the content length
  std::uint64_t received_ = 0;
  std::vector<field_line> trailers_;
};

}  // namespace herald::http1
