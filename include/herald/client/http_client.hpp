#pragma once
// One HTTP/1.1 exchange at a time over a pool of keep-alive connections, plain or TLS, with
// the parser of http1/. This layer sends exactly the request it is given and reads exactly one
// final response: redirects, authentication and retries are fetch.hpp's.
//
// What it handles itself:
// - DNS through Asio's resolver (IPv4 and IPv6, every address tried in order), connect, TLS
//   with OpenSSL: certificates verified against the system store, SNI, host name checked
//   (RFC 6125); `insecure` skips the verification.
// - Connections kept alive per origin and reused; a reused connection that fails before any
//   response octet arrives is replaced once by a fresh one for an idempotent request (the
//   server may have closed it while idle).
// - Interim responses (1xx but 101) are read and kept, 103's Link fields with them.
// - `Expect: 100-continue` (sent for content of at least `expect_threshold` octets, or when
//   the request carries it): the content goes after 100, or after `expect_timeout` of silence;
//   a final status instead ends the exchange without the content (the connection is then not
//   reused).
// - Content: Content-Length, chunked (with trailers), or until the close; none for HEAD, 1xx,
//   204, 304. Several differing Content-Length values, a chunked framing error, or content
//   shorter than announced is a failure (RFC 9112 §6.3), never a success. Content codings
//   (gzip, deflate, br, zstd) are decoded when `decode_content` asked for them.
// - Timeouts: connect, the response head (from the request's end), and the whole exchange.
// - An HTTP proxy, for http (absolute-form requests) and https (CONNECT, then TLS end to end).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <herald/client/redirect.hpp>
#include <herald/core/fields.hpp>

namespace herald::client {

struct client_options {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds header_timeout{30'000};
  std::chrono::milliseconds total_timeout{0};  // 0: none
  std::chrono::milliseconds expect_timeout{1'000};
  std::uint64_t expect_threshold = 1 << 20;
  bool insecure = false;        // skip certificate and host name verification
  bool decode_content = false;  // send Accept-Encoding and decode what comes back
  std::uint64_t max_buffered = std::uint64_t{1} << 30;  // content kept in memory
  std::string user_agent = "herald/0.1.0";
  // An HTTP proxy, "http://host:port": http URLs go to it in absolute form (RFC 9112 §3.2.2),
  // https URLs through a CONNECT tunnel (RFC 9110 §9.3.6). `proxy_user` ("USER:PASS") is sent
  // as Basic Proxy-Authorization; a 407 is then final.
  std::string proxy;
  std::string proxy_user;
};

struct exchange_timings {
  std::chrono::microseconds connect{0};     // resolve and connect, 0 on a reused connection
  std::chrono::microseconds tls{0};         // handshake
  std::chrono::microseconds first_byte{0};  // from the start to the final response's head
  std::chrono::microseconds total{0};
};

struct interim_record {
  int status = 0;
  core::fields fields;
};

struct response_record {
  int status = 0;
  std::string reason;
  core::fields fields;
  std::vector<interim_record> interim;
  core::fields trailers;
  std::string body;                 // the content, when no sink took it
  std::uint64_t content_octets = 0;  // content octets received (before content decoding)
  bool reused_connection = false;
  bool content_sent = true;  // false: a final status arrived before 100 Continue
  exchange_timings time;
};

// Takes the content as it arrives (a file being downloaded). Returning false stops the
// exchange as a failure.
class content_sink {
 public:
  virtual ~content_sink() = default;
  // Called with the final response's head, before any content. Called again for each later
  // exchange of one fetch whose content it takes (a retry): the sink then starts over.
  virtual bool begin(const response_record& head) = 0;
  virtual bool write(std::string_view octets) = 0;
};

class failure : public std::runtime_error {
 public:
  enum class kind { url, resolve, connect, tls, timeout, protocol, incomplete, io, sink };
  failure(kind k, const std::string& what) : std::runtime_error(what), kind_(k) {}
  kind what_kind() const { return kind_; }
  // Whether the request may have reached the server: a connect failure never did.
  bool before_request() const { return kind_ == kind::url || kind_ == kind::resolve ||
                                       kind_ == kind::connect || kind_ == kind::tls; }

 private:
  kind kind_;
};

class http_client {
 public:
  explicit http_client(client_options options = {});
  ~http_client();
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  // Sends `r` and reads its final response. Throws client::failure.
  response_record exchange(const request_spec& r, content_sink* sink = nullptr);

  // Several exchanges at once, each on its own connection (segmented downloads). Each result
  // is a response or the failure's message.
  struct parallel_result {
    std::optional<response_record> response;
    std::optional<failure> error;
  };
  std::vector<parallel_result> exchange_all(const std::vector<request_spec>& requests,
                                            const std::vector<content_sink*>& sinks);


 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace herald::client
