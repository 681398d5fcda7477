#pragma once
// The adapter between resources (resource.hpp) and the server's handler interface (handler.hpp):
// for each request a locator names the resource, and the decision engine (engine.hpp) answers.
//
//   prepare(request)  A request without content is accepted at once (there is nothing to spare
//                     the server from reading; handle() walks the whole flow). For a request
//                     with content, the engine walks the flow up to its content checks on the
//                     located resource: a 503, 405 + Allow, 400, 401, 403, 415 or 413 (by the
//                     declared Content-Length) is sent without reading the content and without
//                     a 100 Continue; otherwise the content is read up to the resource's
//                     max_content_size.
//   handle(request)   decide() on a freshly located resource, with `now` taken from
//                     std::chrono::system_clock floored to the second, the clock the Date field
//                     comes from (Last-Modified is never later than Date).
//
// With `trace` on, the path through the flow goes into a `Herald-Trace` response field (the
// step names joined with spaces) and into the access log's reason (joined with commas, so that
// it stays one token).

#include <memory>
#include <string_view>

#include <herald/core/byte_range.hpp>
#include <herald/server/handler.hpp>
#include <herald/server/resource.hpp>
#include <herald/server/response.hpp>

namespace herald::server {

class resource_locator {
 public:
  virtual ~resource_locator() = default;

  // The resource the request names; never null. Called once by handle() and, for a request
  // with content, once more by prepare(): each call returns a resource of its own, which lives
  // until that call ends, so it may keep views into the request's head. Called from every
  // worker thread at once. An exception becomes a 500 in the connection layer.
  virtual std::unique_ptr<resource> locate(const request& r) = 0;

  // Adds the fields every response of this locator carries (X-Content-Type-Options, say) to a
  // response the engine chose, refusals in prepare() included.
  virtual void finish(const request& /*r*/, response& /*out*/) {}

  // The methods the server as a whole supports, for OPTIONS * (RFC 9110 §9.3.7).
  virtual std::string_view server_allow() const { return "GET, HEAD, OPTIONS"; }
};

struct resource_handler_options {
  // Send the path through the flow in `Herald-Trace` and to the access log.
  bool trace = false;
  // Passed to the engine (engine_options).
  core::range_limits range_limits{};
  unsigned max_multipart_expansion = 2;
};

class resource_handler final : public handler {
 public:
  // The locator must outlive the handler.
  explicit resource_handler(resource_locator& locator, resource_handler_options options = {});

  content_decision prepare(const request& r) override;
  response handle(request& r) override;
  std::string_view server_allow() const override { return locator_.server_allow(); }

 private:
  response decide_traced(resource& target, request& r);

  resource_locator& locator_;
  resource_handler_options options_;
};

}  // namespace herald::server
