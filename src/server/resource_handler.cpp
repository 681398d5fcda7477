#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <herald/http1/serializer.hpp>
#include <herald/server/engine.hpp>
#include <herald/server/resource_handler.hpp>

namespace herald::server {

namespace {

// The resource as prepare() shows it to the engine: the real answers up to the content checks,
// then a flow that ends without touching the representation. After the content checks the
// engine answers OPTIONS (204) or negotiates (skipped: the probe has no variants) and then asks
// legally_blocked(), which marks the request as one whose content may be read; exists() false
// then ends the walk in a 404 that nobody sends. Nothing is produced, created or performed.
class content_probe final : public resource {
 public:
  explicit content_probe(resource& inner) : inner_(inner) {}

  // Whether the walk got past every check that can refuse the content.
  bool passed() const { return passed_; }
  std::optional<std::uint64_t> max_size() const { return max_size_; }

  availability available(const request& r) override { return inner_.available(r); }
  method_set allowed_methods(const request& r) override { return inner_.allowed_methods(r); }
  std::optional<std::string> malformed(const request& r) override { return inner_.malformed(r); }
  authorization authorize(const request& r) override { return inner_.authorize(r); }
  bool forbidden(const request& r) override { return inner_.forbidden(r); }
  bool known_content_headers(const request& r) override { return inner_.known_content_headers(r); }
  std::span<const std::string_view> accepted_content_types(const request& r) override {
    return inner_.accepted_content_types(r);
  }
  std::span<const std::string_view> accepted_content_codings(const request& r) override {
    return inner_.accepted_content_codings(r);
  }
  std::uint64_t max_content_size(const request& r) override {
    max_size_ = inner_.max_content_size(r);
    return *max_size_;
  }
  std::optional<std::string> legally_blocked(const request&) override {
    passed_ = true;
    return std::nullopt;
  }
  bool exists(const request&) override { return false; }

 private:
  resource& inner_;
  bool passed_ = false;
  std::optional<std::uint64_t> max_size_;
};

bool has_content(const http1::request_head& head) {
  return head.framing == http1::body_framing::chunked ||
         (head.framing == http1::body_framing::content_length && head.content_length > 0);
}

}  // namespace

resource_handler::resource_handler(resource_locator& locator, resource_handler_options options)
    : locator_(locator), options_(options) {}

response resource_handler::decide_traced(resource& target, request& r) {
  engine_options o;
  // The connection formats Date from the same clock, truncated to the second, after this
  // returns: so Last-Modified (at most `now`) is never later than Date.
  o.now = http1::coarse_seconds_now();
  o.range_limits = options_.range_limits;
  o.max_multipart_expansion = options_.max_multipart_expansion;
  if (!options_.trace) return decide(target, r, o);

  std::vector<std::string_view> steps;
  steps.reserve(24);
  response out = decide(target, r, o, &steps);
  std::string spaced;
  std::string token;
  for (std::string_view s : steps) {
    if (!spaced.empty()) {
      spaced += ' ';
      token += ',';
    }
    spaced += s;
    token += s;
  }
  out.fields.add("Herald-Trace", spaced);
  out.reason_token = std::move(token);
  return out;
}

content_decision resource_handler::prepare(const request& r) {
  if (!has_content(r.head)) return content_decision::accept(0);
  std::unique_ptr<resource> target = locator_.locate(r);
  if (!target) throw std::logic_error("resource_locator::locate returned no resource");
  content_probe probe(*target);
  request head_only{r.head, {}, r.secure, r.peer};
  response answer = decide_traced(probe, head_only);
  if (!probe.passed() && answer.status >= 400) {
    locator_.finish(r, answer);
    return content_decision::reject(std::move(answer));
  }
  return content_decision::accept(probe.max_size().value_or(target->max_content_size(r)));
}

response resource_handler::handle(request& r) {
  std::unique_ptr<resource> target = locator_.locate(r);
  if (!target) throw std::logic_error("resource_locator::locate returned no resource");
  response out = decide_traced(*target, r);
  locator_.finish(r, out);
  return out;
}

}  // namespace herald::server
