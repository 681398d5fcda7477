// The decision engine against fuzzed conditional and range fields: whatever the client sends,
// the status is one the flow allows for the method, and the headers each status requires
// agree with the content (RFC 9110 §13–§15).
//
// Input: byte 0 picks the method, byte 1 the representation's length; the rest is split at
// '\n' into If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since, Range, If-Range.

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
  explicit text_resource(std::string text) : text_(std::move(text)) {}

  server::method_set allowed_methods(const server::request&) override {
    return {core::method::get, core::method::head, core::method::put, core::method::options};
  }
  server::validators validators_of(const server::request&, std::size_t) override {
    return {core::entity_tag{false, "v1"}, modified};
  }
  server::representation describe(const server::request&, std::size_t) override {
    return {"text/plain", "", "", text_.size(), true};
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
  text_resource resource(text);
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
  check(s == 200 || s == 206 || s == 304 || s == 412 || s == 416);
  const std::string body = body_of(r);
  switch (s) {
    case 200:
      check(body == text);
      check(r.fields.find("ETag") == "\"v1\"");
      break;
    case 304:
      check(body.empty() && r.fields.find("ETag") == "\"v1\"");
      break;
    case 412:
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
