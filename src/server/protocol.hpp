#pragma once
// The statuses decided by the protocol rather than by a resource: what the server answers
// before any handler sees the request. Pure functions, tested without sockets.

#include <optional>
#include <string_view>

#include <herald/http1/error.hpp>
#include <herald/http1/message.hpp>
#include <herald/server/options.hpp>
#include <herald/server/response.hpp>

namespace herald::server {

struct protocol_context {
  const options& opts;
  bool secure = false;     // the connection is TLS
  bool draining = false;   // the server is shutting down
  std::string_view allow;  // the server-wide Allow for OPTIONS *
};

// The response the server owes this request before a handler is asked, or nullopt:
// 503 while draining, 421 for an https target on cleartext or a name not served, 501 for an
// unknown method, 417 for an unknown expectation, 204 for OPTIONS *.
std::optional<response> protocol_response(const http1::request_head& head,
                                          const protocol_context& context);

// The response to a request the parser rejected.
response rejection_response(http1::error e, std::optional<std::string_view> accept);

// Whether the client asked for 100 Continue and may be sent one (RFC 9110 §10.1.1: an
// HTTP/1.0 request's expectation is ignored, and no 1xx goes to an HTTP/1.0 client).
bool wants_continue(const http1::request_head& head);

// Whether the head names a path an operator chose to drop (logged as 444).
bool denied_path(const http1::request_head& head, const options& opts);

}  // namespace herald::server
