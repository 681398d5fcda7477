// The decision engine against fuzzed conditional and range fields: whatever the client sends,
// the status is one the flow allows for the method, and the headers each status requires
// agree with the content (RFC 9110 §13–§15).
//
// Input: byte 0 picks the method and whether the resource has a gzip variant, byte 1 the
// representation's length; the rest is split at '\n' into If-Match, If-None-Match,
// If-Modified-Since, If-Unmodified-Since, Range, If-Range, Accept-Encoding, Accept.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <herald/core/byte_range.hpp>
#include <herald/server/engine.hpp>
#include <herald/server/resource.hpp>

#include "fuzz_support.hpp"

namespace {

using namespace herald;
using herald::fuzz::check;
using namespace std::chrono;

constexpr sys_seconds modified{seconds{1'700'000'000}};
constexpr sys_seconds now{seconds{1'700'000'600}};

class text_resource : public server::resource {
 public:
  text_resource(std::string text, bool with_gzip) : text_(std::move(text)) {
    if (with_gzip) {
      // Variant 0: identity; variant 1: a "gzip" coding of the same text (its bytes differ
      // only by a marker, which is all the engine can tell).
      variants_.push_back({*core::parse_media_type("text/plain"), "", "", "", core::qvalue_max});
      variants_.push_back(
          {*core::parse_media_type("text/plain"), "gzip", "", "", core::qvalue_max});
    }
  }
  std::span<const core::variant> variants(const server::request&) override { return variants_; }

  server::method_set allowed_methods(const server::request&) override {
    return {core::method::get, core::method::head, core::method::put, core::method::options};
  }
  server::validators validators_of(const server::request&, std::size_t v) override {
    return {core::entity_tag{false, v == 0 ? "v1" : "v1-gz"}, modified};
  }
  server::representation describe(const server::request&, std::size_t v) override {
    return {"text/plain", v == 0 ? "" : "gzip", "", text_.size(), true};
  }
  void produce(const server::request&, std::size_t, core::byte_range range,
               server::content& out) override {
    out.pieces.emplace_back(text_.substr(range.first, range.size()));
  }
  server::effect perform(server::request&, std::size_t) override {
    return server::effect::no_content();
  }

 private:
  std::string text_;
  std::vector<core::variant> variants_;
};

std::string body_of(const server::response& r) {
  std::string out;
  for (const auto& piece : r.body.pieces) out += std::get<std::string>(piece);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  static constexpr std::string_view methods[] = {"GET", "HEAD", "PUT", "GET"};
  const std::string_view method = methods[data[0] % 4];
  const bool with_gzip = (data[0] & 4) != 0;
  const std::size_t length = data[1] % 64;
  std::string input(reinterpret_cast<const char*>(data + 2), size - 2);

  static constexpr std::string_view names[] = {
      "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "Range", "If-Range"};
  http1::request_head head;
  head.method = method;
  head.known_method = core::parse_method(method);
  head.target = "/r";
  head.path = "/r";
  std::string_view rest = input;
  for (std::string_view name : names) {
    if (rest.empty()) break;
    std::size_t nl = rest.find('\n');
    std::string_view value = rest.substr(0, nl);
    if (!value.empty() && value != "-") head.fields.push_back({name, value});
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  }

  std::string text(length, 'x');
  for (std::size_t i = 0; i < length; ++i) text[i] = static_cast<char>('a' + i % 26);
  text_resource resource(text, with_gzip);
  server::request req{head, {}, false, {}};
  server::engine_options options;
  options.now = now;
  options.boundary = "fuzzboundary";
  server::response r = server::decide(resource, req, options);

  const int s = r.status;
  // The engine never writes framing; the serializer does.
  check(!r.fields.contains("Content-Length") && !r.fields.contains("Transfer-Encoding"));
  if (method == "PUT") {
    check(s == 204 || s == 412);
    return 0;
  }
  // 406 only when a client excluded every variant, which needs a variant list or an Accept
  // that rules text/plain out (RFC 9110 §15.5.7).
  check(s == 200 || s == 206 || s == 304 || s == 412 || s == 416 || s == 406);
  if (with_gzip && s != 406) check(r.fields.find("Vary").has_value());  // RFC 9110 §12.5.5
  const std::string etag = r.fields.find("Content-Encoding") == "gzip" ? "\"v1-gz\"" : "\"v1\"";
  const std::string body = body_of(r);
  switch (s) {
    case 200:
      check(body == text);
      check(r.fields.find("ETag") == etag);
      break;
    case 304:
      check(body.empty() && r.fields.find("ETag").has_value());
      break;
    case 412:
    case 406:
      break;
    case 416: {
      // RFC 9110 §15.5.17: the complete length in Content-Range.
      check(r.fields.find("Content-Range") == "bytes */" + std::to_string(length));
      check(method == "GET");
      break;
    }
    case 206: {
      check(method == "GET" && length > 0);
      if (auto content_range = r.fields.find("Content-Range")) {
        auto parsed = core::parse_content_range(*content_range);
        check(parsed && parsed->range && parsed->complete_length == length);
        check(body == text.substr(parsed->range->first, parsed->range->size()));
      } else {
        // Several ranges: multipart/byteranges, each part framed by the boundary.
        check(r.fields.find("Content-Type") == "multipart/byteranges; boundary=fuzzboundary");
        check(body.ends_with("--fuzzboundary--\r\n"));
      }
      break;
    }
  }
  return 0;
}
