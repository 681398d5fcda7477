#pragma once
// The handler interface: how the server hands a request to the code that answers it.
//
// For each request the server calls, in order:
//   1. `prepare(request)` with the head only. It answers how to treat the content: refuse it
//      with a final response (405, 413, 401...: the server then never sends 100 Continue and
//      does not read the content), or accept up to a size.
//   2. `handle(request)` with the content read, which returns the response.
// Both run on the connection's worker thread and must not block for long. An exception from
// either becomes a 500 (the detail goes to the log, never to the client).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <herald/http1/message.hpp>
#include <herald/server/response.hpp>

namespace asio {
class io_context;
}

namespace herald::server {

// The event loop of the server worker running on the calling thread, for a handler that keeps
// per-worker state fed by events of its own (the file cache's inotify watch); null on a thread
// that is not a worker's.
asio::io_context* this_worker_loop();

struct request {
  const http1::request_head& head;
  std::string body;       // the decoded content, once read
  bool secure = false;    // arrived over TLS
  std::string_view peer;  // the client's address, for logs and rules
  // Requests with the same non-zero value arrived together: no octet was read on this worker
  // thread between them (a pipelined batch). A handler may answer them from one look at its
  // state, as the file cache does. 0: unknown.
  std::uint64_t arrival = 0;
};

struct content_decision {
  std::optional<response> refuse;  // answer this without reading the content
  std::uint64_t max_size = 0;      // otherwise: read at most this much (more → 413)
  // Whether a client that sent `Expect: 100-continue` is told to go on (RFC 9110 §10.1.1).
  // false: the server reads the content without a 100 and the client sends it after its own
  // wait, as it must for a server that does not know the expectation.
  bool send_continue = true;

  static content_decision accept(std::uint64_t max) { return {std::nullopt, max}; }
  static content_decision reject(response r) { return {std::move(r), 0}; }
};

class handler {
 public:
  virtual ~handler() = default;
  virtual content_decision prepare(const request& r) = 0;
  virtual response handle(request& r) = 0;
  // The methods the server as a whole supports, for OPTIONS * (RFC 9110 §9.3.7).
  virtual std::string_view server_allow() const { return "GET, HEAD, OPTIONS"; }
};

}  // namespace herald::server
