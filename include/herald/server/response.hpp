#pragma once
// What a handler answers: a plain value that describes the response, which the connection then
// performs (framing, interim responses, files, upgrades). Handlers never touch sockets.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <herald/core/fields.hpp>
#include <herald/core/status.hpp>

namespace herald::server {

// A byte range of an open file, sent with sendfile. The file descriptor is shared so that
// several parts (multipart/byteranges) can point into one open file; it is closed when the
// last part is sent.
struct file_part {
  std::shared_ptr<const int> fd;  // owns the descriptor (closed by the deleter)
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

// Reads the part's octets into `out` (room for part.length), retrying interrupted reads;
// returns how many it read: fewer than part.length when the file has shrunk.
std::size_t read_file_part(const file_part& part, char* out);

// Octets of a string shared with a cache (a small file read once, served to many requests):
// sent from the shared string without a copy, which it keeps alive until sent.
struct shared_text {
  std::shared_ptr<const std::string> text;
  std::size_t offset = 0;
  std::size_t length = 0;
  std::string_view view() const { return std::string_view(*text).substr(offset, length); }
};

// Content assembled from text and file parts, e.g. a multipart/byteranges body: each
// part's header as text, each range as a file part.
using content_piece = std::variant<std::string, file_part, shared_text>;

struct content {
  std::vector<content_piece> pieces;
  std::uint64_t size() const;
  bool empty() const { return pieces.empty(); }
};

// An interim response (1xx) sent before the final one; never sent to an HTTP/1.0 client
// (RFC 9110 §15.2).
struct interim_response {
  int status = 103;
  core::fields fields;
};

// A protocol that takes over the connection after a 101 (RFC 9110 §7.8): bytes in, bytes out.
class upgraded_protocol {
 public:
  virtual ~upgraded_protocol() = default;
  // Called with bytes the peer sent (the first call may carry bytes that followed the
  // request); appends any bytes to send to `out`. Returns false to close the connection.
  virtual bool on_data(std::string_view in, std::string& out) = 0;
};

// How a response goes out when not all at once: the lab's slow, streamed and misbehaving
// origins, which test how clients cope. Every duration is bounded by whoever builds it.
struct delivery {
  // Before the final response, after any interim ones; meanwhile, with the response's
  // processing_interval, an HTTP/1.1 client is sent 102 Processing (RFC 2518 §10.1).
  std::chrono::milliseconds delay{0};
  // After each content piece: each piece is written on its own, so the client sees it arrive.
  std::chrono::milliseconds between_pieces{0};
  // The chunked transfer coding (RFC 9112 §7.1), one chunk per content piece, with `trailers`
  // after the last chunk (RFC 9112 §7.1.2). An HTTP/1.0 client gets the content delimited by
  // the connection's close instead, and no trailers.
  bool chunked = false;
  core::fields trailers;
  // Close the connection once this many content octets are sent, short of the promised length:
  // a response cut off mid-content.
  std::optional<std::uint64_t> cut_after;
  // When set: these octets instead of the serialized response (an unfinished head, a malformed
  // message; nothing at all for nginx's 444), after which the connection is held open for
  // `hold`, then closed.
  std::optional<std::string> raw;
  std::chrono::milliseconds hold{0};
};

struct response {
  int status = 200;
  core::fields fields;
  content body;

  std::vector<interim_response> interim;
  // The protocol to switch to; with status 101 the connection becomes it.
  std::shared_ptr<upgraded_protocol> upgrade;
  // Close the connection after this response (e.g. after an error that leaves the request's
  // body unread).
  bool close = false;
  // A short token saying why, for the access log (e.g. "te-and-cl"); empty for success.
  std::string reason_token;

  // Slow work: when set, the server runs it on a thread pool, off the worker's event loop,
  // and sends the response it returns instead of this one. Meanwhile, every
  // `processing_interval` (if not zero), an HTTP/1.1 client is sent 102 Processing
  // (RFC 2518 §10.1), so that it knows the request is still being worked on. The work must
  // hold copies of what it needs from the request: the request may be gone when it runs.
  std::function<response()> deferred;
  std::chrono::milliseconds processing_interval{0};
  // Pacing, streaming or misbehaviour; null for a response written at once. Shared, so that a
  // response stays small on the hot path.
  std::shared_ptr<const delivery> paced;

  response() = default;
  explicit response(int s) : status(s) {}
  explicit response(core::status s) : status(core::to_int(s)) {}
  void set_text(std::string text, std::string_view content_type = "text/plain; charset=utf-8");
};

}  // namespace herald::server
