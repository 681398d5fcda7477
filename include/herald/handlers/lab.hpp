#pragma once
// `herald serve --lab`: a test origin for HTTP clients, compatible with httpbin's endpoints and
// JSON shapes, in which every status code can be asked for and comes with the fields its
// specification requires. It also produces what httpbin cannot: 100/417/silence for
// Expect, 102 and 103 interim responses, redirect loops and chains of any redirect code,
// unfinished heads, responses cut mid-content, resources whose ETag changes on every request,
// chunked content with trailers, and a resource whose validators the query sets.
//
// Representation-level answers (304, 412, 206, 416, 406, 405 for the resources that describe
// themselves) come from the decision engine, as for files; the endpoints whose whole point is
// a chosen status (/status/{code}, /redirect-to, the auth endpoints) build their responses.
//
// Every endpoint is bounded by lab_options, so the lab can be exposed without becoming an
// amplifier: delays, sizes, stream lengths and redirect counts beyond the caps are answered
// 400 with the cap named.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <herald/server/handler.hpp>

namespace herald::handlers {

namespace lab_detail {
struct lab_state;
}

struct lab_options {
  // Where the lab is mounted: "" for the root, else a path such as "/lab". Every link and
  // Location it sends starts with it.
  std::string prefix;
  std::chrono::milliseconds max_delay{10'000};  // /delay, /drip, /processing, /timeout
  std::uint64_t max_bytes = 100 * 1024;  // /bytes, /range, /stream-bytes, /drip, /drop, ...
  unsigned max_lines = 100;              // /stream
  unsigned max_hops = 100;               // /redirect, /loop, /chain, /links
  std::uint64_t max_content = 1024 * 1024;  // request content accepted (413 beyond)
};

// Normalises a mount prefix in place ("/lab/" → "/lab", "/" → ""); returns why it is not
// one (it must be a path of whole segments: "/lab", never "lab" or "/lab?x"), or nullopt.
std::optional<std::string> normalize_lab_prefix(std::string& prefix);

class lab final : public server::handler {
 public:
  explicit lab(lab_options options);
  ~lab() override;

  server::content_decision prepare(const server::request& r) override;
  server::response handle(server::request& r) override;
  std::string_view server_allow() const override;

 private:
  std::unique_ptr<lab_detail::lab_state> state_;
};

}  // namespace herald::handlers
