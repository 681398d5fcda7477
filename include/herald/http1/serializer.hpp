#pragma once
// The HTTP/1.1 serializer: message heads in, bytes out. It chooses the framing (Content-Length,
// chunked, or close-delimited), owns the framing fields, and never emits content where a
// response has none (HEAD, 1xx, 204, 304). It writes only the head; the caller sends the head
// and the content as separate buffers (writev), so content is never copied into the head.
//
//   status-line  = "HTTP/1.1" SP 3DIGIT SP reason-phrase CRLF      (RFC 9112 §4)
//   field-line   = field-name ":" SP field-value CRLF               (RFC 9112 §5)
//   head         = status-line *( field-line ) CRLF
//   chunk        = 1*HEXDIG CRLF chunk-data CRLF                    (RFC 9112 §7.1)
//   last-chunk   = "0" CRLF *( field-line ) CRLF

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <herald/core/fields.hpp>
#include <herald/core/http_date.hpp>
#include <herald/http1/message.hpp>

namespace herald::http1 {

// How much content follows the head.
struct content_size {
  enum class kind : std::uint8_t { none, known, unknown };
  kind what = kind::none;
  std::uint64_t length = 0;

  static content_size empty() { return {kind::none, 0}; }
  static content_size known(std::uint64_t n) { return {kind::known, n}; }
  static content_size unknown() { return {kind::unknown, 0}; }
};

enum class serialize_error : std::uint8_t {
  invalid_status,            // not three digits 100..999
  framing_field_set,         // the caller set Transfer-Encoding: framing is the serializer's
  content_length_mismatch,   // the caller's Content-Length disagrees with the content
  content_length_forbidden,  // Content-Length on a 1xx or 204 (RFC 9110 §8.6)
  content_forbidden,         // content on a 1xx, 204, 205 or 304 (RFC 9110 §6.4.1, §15.3.6)
  invalid_text,              // a CR, LF or other control octet in a method, target, Host,
                             // Date or Server value: it would forge lines on the wire
};
std::string_view describe(serialize_error e);

struct response_options {
  bool head_request = false;   // HEAD: the framing fields of GET, no content (RFC 9110 §9.3.2)
  int peer_version_minor = 1;  // HTTP/1.0 peers get no chunked coding and explicit keep-alive
  bool keep_alive = true;      // the server's intention; may be turned off by the serializer
  std::string_view date;       // an IMF-fixdate for Date; empty: no Date field
  std::string_view server;     // the Server field's value; empty: none
};

struct serialized_head {
  body_framing framing = body_framing::none;  // how the caller must send the content
  bool keep_alive = true;                     // whether the connection stays open after it
  std::optional<serialize_error> failure;
};

// Appends the head of a response to `out`. The reason phrase comes from the status registry
// (empty for a code it does not know, as RFC 9112 §4 allows). Date and Server are omitted on
// 1xx. `fields` must not hold Content-Length unless it equals the content's length (on a 304
// it describes the selected representation instead, RFC 9110 §8.6); a `Connection: close` in
// `fields` ends the connection. On failure `out` is left as it was. No argument may view `out`
// itself: it is resized once, up front, which may move it.
serialized_head serialize_response_head(int status, const core::fields& fields,
                                        content_size content, const response_options& options,
                                        std::string& out);

// Appends the head of a request to `out`: Host first (RFC 9110 §7.2), then `fields`, then the
// framing for `content` (chunked when its size is unknown). As for a response, no argument may
// view `out`.
std::optional<serialize_error> serialize_request_head(std::string_view method,
                                                      std::string_view target,
                                                      std::string_view host,
                                                      const core::fields& fields,
                                                      content_size content, std::string& out);

// The chunk-size line for a chunk of `size` octets ("1a\r\n"), written into `buffer`.
std::string_view chunk_header(std::uint64_t size, std::array<char, 20>& buffer);
inline constexpr std::string_view chunk_end = "\r\n";
inline constexpr std::string_view last_chunk = "0\r\n\r\n";

// Formats the Date field value at most once a second. One per worker thread: not thread-safe.
// The wall clock to the second from CLOCK_REALTIME_COARSE: up to a few milliseconds behind,
// and read without the hypervisor's help. The decision engine's `now` and then Date
// (date_cache::now) both read it, so Last-Modified, clamped to the engine's `now`, is never
// later than Date.
std::chrono::sys_seconds coarse_seconds_now();

class date_cache {
 public:
  std::string_view now();
  std::string_view at(std::chrono::sys_seconds t);

 private:
  std::chrono::sys_seconds cached_{};
  std::array<char, core::http_date_length> text_{};
  bool valid_ = false;
};

}  // namespace herald::http1
