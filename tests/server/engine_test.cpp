// Tests of the resource decision engine (src/server/engine.cpp): one table per branch of the
// flow. Each case gives a fake resource's answers and the request's fields, and states the status,
// the fields the response must carry (with their exact values), the fields it must not carry,
// and where useful the content and the path through the flow.

#include <chrono>
#include <functional>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

#include <herald/core/http_date.hpp>
#include <herald/core/media_type.hpp>
#include <herald/core/status.hpp>
#include <herald/server/engine.hpp>

#include "support/test_cases.hpp"

namespace herald::server {
namespace {

using namespace std::chrono_literals;
using herald::test::case_name;
using herald::test::PrintTo;
using std::chrono::sys_seconds;
using testing::HasSubstr;
using testing::Not;

using M = core::method;

// Wed, 10 Jan 2024 12:00:00 GMT: the response's Date in every case.
constexpr sys_seconds now{std::chrono::sys_days{std::chrono::year{2024} / 1 / 10} + 12h};
constexpr std::string_view now_text = "Wed, 10 Jan 2024 12:00:00 GMT";
// The representation's default Last-Modified, an hour before.
constexpr sys_seconds modified = now - 1h;
constexpr std::string_view modified_text = "Wed, 10 Jan 2024 11:00:00 GMT";
constexpr std::string_view before_modified = "Wed, 10 Jan 2024 10:00:00 GMT";
constexpr std::string_view after_modified = "Wed, 10 Jan 2024 11:30:00 GMT";

constexpr std::string_view plain = "text/plain; charset=utf-8";

// 1000 octets, "abc...xyzabc...": byte i is 'a' + i % 26.
std::string make_content(std::size_t n) {
  std::string s(n, ' ');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}
const std::string& default_content() {
  static const std::string content = make_content(1000);
  return content;
}
std::string slice(std::uint64_t first, std::uint64_t last) {
  return default_content().substr(first, last - first + 1);
}

// A resource whose every answer is a member a case can set.
class fake_resource : public resource {
 public:
  availability availability_answer;
  method_set allowed{M::get, M::head, M::options};
  std::optional<std::string> malformed_detail;
  authorization auth;
  bool is_forbidden = false;
  bool content_headers_known = true;
  std::vector<std::string_view> content_types;
  std::vector<std::string_view> content_codings;
  std::uint64_t max_size = 16;
  std::vector<core::variant> variant_list;
  std::vector<std::string_view> variant_types;  // Content-Type of each variant
  std::vector<std::string_view> locations;      // URI of each variant
  bool choice = false;
  std::optional<std::string> blocking_entity;
  bool does_exist = true;
  std::optional<redirect> moved_to;
  bool is_gone = false;
  bool creatable = false;
  effect creation = effect::created("/new");
  bool precondition_needed = false;
  std::string etag = "v1";  // opaque-tag; "" for none. Variant i adds "-i".
  bool weak = false;
  std::optional<sys_seconds> last_modified = modified;
  std::string body = default_content();
  std::string_view type = plain;
  bool ranges = true;
  std::string_view cache_control = "max-age=60";
  std::optional<sys_seconds> expires;
  effect result = effect::no_content();
  std::size_t extra_bytes = 0;  // produced beyond the range asked for: a broken resource
  bool file_parts = false;      // produce file parts instead of text

  // Calls to produce, as "variant:first-last".
  std::vector<std::string> produced;

  void add_variant(std::string_view media_type, std::string_view coding, std::string_view language,
                   std::string_view location) {
    variant_list.push_back(
        core::variant{*core::parse_media_type(media_type), coding, language, "", core::qvalue_max});
    variant_types.push_back(media_type);
    locations.push_back(location);
  }

  availability available(const request&) override { return availability_answer; }
  method_set allowed_methods(const request&) override { return allowed; }
  std::optional<std::string> malformed(const request&) override { return malformed_detail; }
  authorization authorize(const request&) override { return auth; }
  bool forbidden(const request&) override { return is_forbidden; }
  bool known_content_headers(const request&) override { return content_headers_known; }
  std::span<const std::string_view> accepted_content_types(const request&) override {
    return content_types;
  }
  std::span<const std::string_view> accepted_content_codings(const request&) override {
    return content_codings;
  }
  std::uint64_t max_content_size(const request&) override { return max_size; }
  std::span<const core::variant> variants(const request&) override { return variant_list; }
  std::string_view variant_location(const request&, std::size_t v) override {
    return locations.at(v);
  }
  bool offers_choice(const request&) override { return choice; }
  std::optional<std::string> legally_blocked(const request&) override { return blocking_entity; }
  bool exists(const request&) override { return does_exist; }
  std::optional<redirect> moved(const request&) override { return moved_to; }
  bool gone(const request&) override { return is_gone; }
  bool can_create(const request&) override { return creatable; }
  effect create(request&) override { return creation; }
  bool requires_precondition(const request&) override { return precondition_needed; }

  validators validators_of(const request&, std::size_t v) override {
    validators out;
    if (!etag.empty()) {
      etag_storage_ = etag;
      if (!variant_list.empty()) etag_storage_ += "-" + std::to_string(v);
      out.etag = core::entity_tag{weak, etag_storage_};
    }
    out.last_modified = last_modified;
    return out;
  }

  representation describe(const request&, std::size_t v) override {
    representation r;
    r.content_type = type;
    if (!variant_list.empty()) {
      r.content_type = variant_types.at(v);
      r.content_encoding = variant_list.at(v).coding;
      r.content_language = variant_list.at(v).language;
    }
    r.length = body.size();
    r.ranges = ranges;
    return r;
  }

  void produce(const request&, std::size_t v, core::byte_range range, content& out) override {
    produced.push_back(std::to_string(v) + ":" + std::to_string(range.first) + "-" +
                       std::to_string(range.last));
    if (file_parts) {
      out.pieces.emplace_back(file_part{nullptr, range.first, range.size() + extra_bytes});
      return;
    }
    out.pieces.emplace_back(body.substr(range.first, range.size()) + std::string(extra_bytes, '!'));
  }

  cache_policy caching(const request&, std::size_t) override { return {cache_control, expires}; }
  effect perform(request&, std::size_t) override { return result; }

 private:
  std::string etag_storage_;
};

// The content as one string; a file part shows as "<file offset+length>".
std::string render(const content& c) {
  std::string out;
  for (const content_piece& p : c.pieces) {
    if (const auto* text = std::get_if<std::string>(&p)) {
      out += *text;
    } else {
      const file_part& f = std::get<file_part>(p);
      out += "<file " + std::to_string(f.offset) + "+" + std::to_string(f.length) + ">";
    }
  }
  return out;
}

struct engine_case {
  std::string_view name;
  std::function<void(fake_resource&)> setup = {};
  std::string_view method = "GET";
  std::vector<http1::field_line> request_fields = {};
  std::string_view request_content = {};
  int status = 200;
  std::vector<http1::field_line> fields = {};  // must be present with exactly these values
  std::vector<std::string_view> absent = {};   // must not be present
  std::optional<std::string> body = std::nullopt;
  std::string_view body_contains = {};
  std::vector<std::string_view> trace = {};  // the whole path, when given
  std::string_view last_step = {};           // the step that decided, when given
  std::function<void(engine_options&)> tweak = {};
};

// The fields every 200 or 206 of the default resource carries.
const std::vector<std::string_view> representation_fields{"ETag", "Last-Modified", "Cache-Control",
                                                          "Accept-Ranges"};

struct outcome {
  response r;
  std::vector<std::string_view> trace;
  fake_resource target;
};

outcome run(const engine_case& c) {
  outcome o;
  if (c.setup) c.setup(o.target);
  http1::request_head head;
  head.method = c.method;
  head.known_method = core::parse_method(c.method);
  head.target = "/doc";
  head.path = "/doc";
  head.fields = c.request_fields;
  if (!c.request_content.empty()) {
    head.framing = http1::body_framing::content_length;
    head.content_length = c.request_content.size();
  }
  request req{head, std::string(c.request_content), false, {}};
  engine_options opts;
  opts.now = now;
  opts.boundary = "BOUNDARY";
  if (c.tweak) c.tweak(opts);
  o.r = decide(o.target, req, opts, &o.trace);
  return o;
}

std::string joined(const std::vector<std::string_view>& trace) {
  std::string out;
  for (std::string_view s : trace) out.append(out.empty() ? "" : " → ").append(s);
  return out;
}

class EngineFlow : public testing::TestWithParam<engine_case> {};

TEST_P(EngineFlow, Decides) {
  const engine_case& c = GetParam();
  const outcome o = run(c);
  const response& r = o.r;
  SCOPED_TRACE("path: " + joined(o.trace));

  EXPECT_EQ(r.status, c.status);
  for (const http1::field_line& f : c.fields)
    EXPECT_EQ(r.fields.find(f.name), std::optional<std::string_view>(f.value)) << f.name;
  for (std::string_view name : c.absent) EXPECT_FALSE(r.fields.contains(name)) << name;
  if (c.body) {
    EXPECT_EQ(render(r.body), *c.body);
  }
  if (!c.body_contains.empty()) {
    EXPECT_THAT(render(r.body), HasSubstr(c.body_contains));
  }
  if (!c.trace.empty()) {
    EXPECT_EQ(o.trace, c.trace);
  }
  if (!c.last_step.empty()) {
    ASSERT_FALSE(o.trace.empty());
    EXPECT_EQ(o.trace.back(), c.last_step);
  }

  // Rules that hold for every case.
  // The connection frames the content: the engine never sets Content-Length.
  EXPECT_FALSE(r.fields.contains("Content-Length"));
  // RFC 9110 §6.4.1: no content with 204 and 304.
  if (r.status == 204 || r.status == 304) {
    EXPECT_TRUE(r.body.empty());
    EXPECT_FALSE(r.fields.contains("Content-Type"));
  }
  // Fields the status registry requires whatever the request.
  if (r.status == 405) {
    EXPECT_TRUE(r.fields.contains("Allow"));
  }
  if (r.status == 401) {
    EXPECT_TRUE(r.fields.contains("WWW-Authenticate"));
  }
  if (r.status == 416) {
    EXPECT_TRUE(r.fields.contains("Content-Range"));
  }
  if (r.status == 206) {
    const bool multipart = r.fields.find("Content-Type").value_or("").starts_with("multipart/");
    EXPECT_NE(r.fields.contains("Content-Range"), multipart);
  }
  if (r.status == 301 || r.status == 302 || r.status == 303 || r.status == 307 || r.status == 308) {
    EXPECT_TRUE(r.fields.contains("Location"));
  }
  if (r.status == 451) {
    EXPECT_TRUE(r.fields.contains("Link"));
  }
  // The access log learns why an error happened: the deciding step.
  if (r.status >= 400) {
    ASSERT_FALSE(o.trace.empty());
    EXPECT_EQ(r.reason_token, o.trace.back());
  } else {
    EXPECT_TRUE(r.reason_token.empty());
  }
  // Last-Modified is never later than Date (RFC 9110 §8.8.2.1).
  if (std::optional<std::string_view> lm = r.fields.find("Last-Modified")) {
    std::optional<sys_seconds> t = core::parse_http_date(*lm, now);
    ASSERT_TRUE(t.has_value()) << *lm;
    EXPECT_LE(*t, now);
  }
}

// ---------------------------------------------------------------------------------------------
// Steps 1–4: service available, method, well-formed, authorized, forbidden.

const std::vector<std::string_view> full_get_path{
    "service_available", "known_method",    "method_allowed",  "well_formed", "authorized",
    "forbidden",         "content_headers", "legally_blocked", "exists",      "representation"};

std::vector<engine_case> access_cases() {
  return {
      {.name = "get_200_plain",
       .status = 200,
       .fields = {{"Content-Type", plain},
                  {"ETag", R"("v1")"},
                  {"Last-Modified", modified_text},
                  {"Cache-Control", "max-age=60"},
                  {"Accept-Ranges", "bytes"}},
       .absent = {"Vary", "Content-Location", "Content-Range", "Content-Encoding", "Expires"},
       .body = default_content(),
       .trace = full_get_path},
      {.name = "unavailable_503_with_retry_after",
       .setup =
           [](fake_resource& f) {
             f.availability_answer = {false, 120s};
           },
       .status = 503,
       .fields = {{"Retry-After", "120"}},
       .trace = {"service_available"}},
      {.name = "unavailable_503_without_retry_after",
       .setup =
           [](fake_resource& f) {
             f.availability_answer = {false, std::nullopt};
           },
       .status = 503,
       .absent = {"Retry-After"},
       .last_step = "service_available"},
      {.name = "unknown_method_501", .method = "BREW", .status = 501, .last_step = "known_method"},
      {.name = "post_not_allowed_405",
       .method = "POST",
       .status = 405,
       .fields = {{"Allow", "GET, HEAD, OPTIONS"}},
       .body_contains = "POST is not allowed",
       .last_step = "method_allowed"},
      {.name = "delete_allowed_by_custom_set_204",
       .setup =
           [](fake_resource& f) {
             f.allowed = {M::put, M::get, M::delete_};
           },
       .method = "DELETE",
       .status = 204},
      {.name = "patch_not_allowed_405_custom_allow",
       .setup =
           [](fake_resource& f) {
             f.allowed = {M::put, M::get, M::delete_};
           },
       .method = "PATCH",
       .status = 405,
       .fields = {{"Allow", "DELETE, GET, PUT"}}},
      {.name = "nothing_allowed_405_empty_allow",
       .setup = [](fake_resource& f) { f.allowed = {}; },
       .status = 405,
       .fields = {{"Allow", ""}}},
      {.name = "options_204_with_allow",
       .method = "OPTIONS",
       .status = 204,
       .fields = {{"Allow", "GET, HEAD, OPTIONS"}},
       .absent = {"ETag", "Last-Modified", "Accept-Ranges"},
       .last_step = "options"},
      {.name = "options_ignores_preconditions",
       .method = "OPTIONS",
       .request_fields = {{"If-Match", R"("other")"}, {"If-None-Match", "*"}},
       .status = 204,
       .last_step = "options"},
      {.name = "options_not_allowed_405",
       .setup =
           [](fake_resource& f) {
             f.allowed = {M::get, M::head};
           },
       .method = "OPTIONS",
       .status = 405,
       .fields = {{"Allow", "GET, HEAD"}}},
      {.name = "options_on_missing_resource_204",
       .setup = [](fake_resource& f) { f.does_exist = false; },
       .method = "OPTIONS",
       .status = 204},
      {.name = "malformed_400_with_detail",
       .setup =
           [](fake_resource& f) { f.malformed_detail = "The query parameter n is not a number."; },
       .status = 400,
       .body_contains = "n is not a number",
       .last_step = "well_formed"},
      {.name = "unauthorized_401_with_challenge",
       .setup = [](fake_resource& f) { f.auth = authorization::denied(R"(Basic realm="files")"); },
       .status = 401,
       .fields = {{"WWW-Authenticate", R"(Basic realm="files")"}},
       .last_step = "authorized"},
      {.name = "unauthorized_without_challenge_is_a_server_error",
       .setup = [](fake_resource& f) { f.auth = authorization::denied(""); },
       .status = 500,
       .absent = {"WWW-Authenticate"},
       .last_step = "invalid_field"},
      {.name = "unauthorized_before_forbidden",
       .setup =
           [](fake_resource& f) {
             f.auth = authorization::denied("Bearer");
             f.is_forbidden = true;
           },
       .status = 401},
      {.name = "forbidden_403",
       .setup = [](fake_resource& f) { f.is_forbidden = true; },
       .status = 403,
       .last_step = "forbidden"},
      {.name = "forbidden_even_when_missing",
       .setup =
           [](fake_resource& f) {
             f.is_forbidden = true;
             f.does_exist = false;
           },
       .status = 403},
  };
}
INSTANTIATE_TEST_SUITE_P(Access, EngineFlow, testing::ValuesIn(access_cases()), case_name);

// ---------------------------------------------------------------------------------------------
// Step 5: the request's content.

const auto writable = [](fake_resource& f) {
  f.allowed = {M::get, M::head, M::put, M::post, M::options};
};

std::vector<engine_case> content_cases() {
  return {
      {.name = "put_with_content_range_400",
       .setup = writable,
       .method = "PUT",
       .request_fields = {{"Content-Range", "bytes 0-4/10"}},
       .request_content = "hello",
       .status = 400,
       .body_contains = "Content-Range",
       .last_step = "content_headers"},
      {.name = "post_with_content_range_is_the_resource_s_business",
       .setup = writable,
       .method = "POST",
       .request_fields = {{"Content-Range", "bytes 0-4/10"}},
       .request_content = "hello",
       .status = 204},
      {.name = "unknown_content_header_501",
       .setup =
           [](fake_resource& f) {
             writable(f);
             f.content_headers_known = false;
           },
       .method = "PUT",
       .request_content = "hello",
       .status = 501,
       .last_step = "content_headers"},
      {.name = "content_type_415_with_accept",
       .setup =
           [](fake_resource& f) {
             writable(f);
             f.content_types = {"application/json", "text/*"};
           },
       .method = "PUT",
       .request_fields = {{"Content-Type", "image/png"}},
       .request_content = "hello",
       .status = 415,
       .fields = {{"Accept", "application/json, text/*"}},
       .last_step = "content_type"},
      {.name = "content_type_matching_wildcard",
       .setup =
           [](fake_resource& f) {
             writable(f);
             f.content_types = {"application/json", "text/*"};
           },
       .method = "PUT",
       .request_fields = {{"Content-Type", "Text/CSV; charset=utf-8"}},
       .request_content = "a,b",
       .status = 204},
      {.name = "content_type_missing_is_octet_stream_415",
       .setup =
           [](fake_resource& f) {
             writable(f);
             f.content_types = {"application/json"};
           },
       .method = "PUT",
       .request_content = "hello",
       .status = 415},
      {.name = "content_type_missing_accepted_as_octet_stream",
       .setup =
           [](fake_resource& f) {
             writable(f);
             f.content_types = {"application/octet-stream"};
           },
       .method = "PUT",
       .request_content = "hello",
       .status = 204},
      {.name = "content_type_malformed_415",
       .setup =
           [](fake_resource& f) {
             writable(f);
             f.content_types = {"*/*"};
           },
       .method = "PUT",
       .request_fields = {{"Content-Type", "text"}},
       .request_content = "hello",
       .status = 415},
      {.name = "content_type_not_asked_without_content",
       .setup =
           [](fake_resource& f) {
             writable(f);
             f.content_types = {"application/json"};
           },
       .method = "PUT",
       .request_fields = {{"Content-Type", "image/png"}},
       .status = 204,
       .trace = {"service_available", "known_method", "method_allowed", "well_formed", "authorized",
                 "forbidden", "content_headers", "legally_blocked", "exists",
                 "precondition_required", "effect"}},
      {.name = "content_coding_415_identity_only",
       .setup = writable,
       .method = "PUT",
       .request_fields = {{"Content-Encoding", "gzip"}},
       .request_content = "hello",
       .status = 415,
       .fields = {{"Accept-Encoding", "identity"}},
       .last_step = "content_coding"},
      {.name = "content_coding_415_lists_known_codings",
       .setup =
           [](fake_resource& f) {
             writable(f);
             f.content_codings = {"gzip", "br"};
           },
       .method = "PUT",
       .request_fields = {{"Content-Encoding", "gzip, zstd"}},
       .request_content = "hello",
       .status = 415,
       .fields = {{"Accept-Encoding", "gzip, br"}}},
      {.name = "content_coding_known",
       .setup =
           [](fake_resource& f) {
             writable(f);
             f.content_codings = {"gzip"};
           },
       .method = "PUT",
       .request_fields = {{"Content-Encoding", "GZIP"}},
       .request_content = "hello",
       .status = 204},
      {.name = "content_coding_identity",
       .setup = writable,
       .method = "PUT",
       .request_fields = {{"Content-Encoding", "identity"}},
       .request_content = "hello",
       .status = 204},
      {.name = "content_too_large_413",
       .setup =
           [](fake_resource& f) {
             writable(f);
             f.max_size = 4;
           },
       .method = "PUT",
       .request_content = "hello",
       .status = 413,
       .last_step = "content_size"},
      {.name = "content_at_the_limit",
       .setup =
           [](fake_resource& f) {
             writable(f);
             f.max_size = 5;
           },
       .method = "PUT",
       .request_content = "hello",
       .status = 204},
      {.name = "content_checks_before_options",
       .setup =
           [](fake_resource& f) {
             writable(f);
             f.max_size = 1;
           },
       .method = "OPTIONS",
       .request_content = "hello",
       .status = 413},
  };
}
INSTANTIATE_TEST_SUITE_P(Content, EngineFlow, testing::ValuesIn(content_cases()), case_name);

// ---------------------------------------------------------------------------------------------
// Step 7: negotiation.

const auto html_and_json = [](fake_resource& f) {
  f.add_variant("text/html", "", "", "/doc.html");
  f.add_variant("application/json", "", "", "/doc.json");
};
const auto english_and_french = [](fake_resource& f) {
  f.add_variant("text/html", "", "en", "/doc.en.html");
  f.add_variant("text/html", "", "fr", "/doc.fr.html");
};
const auto plain_and_gzip = [](fake_resource& f) {
  f.add_variant("text/plain", "", "", "/doc.txt");
  f.add_variant("text/plain", "gzip", "", "/doc.txt.gz");
};

std::vector<engine_case> negotiation_cases() {
  return {
      {.name = "type_chosen_by_accept",
       .setup = html_and_json,
       .request_fields = {{"Accept", "application/json"}},
       .status = 200,
       .fields = {{"Content-Type", "application/json"},
                  {"Vary", "Accept"},
                  {"Content-Location", "/doc.json"},
                  {"ETag", R"("v1-1")"}},
       .trace = {"service_available", "known_method", "method_allowed", "well_formed", "authorized",
                 "forbidden", "content_headers", "negotiate", "legally_blocked", "exists",
                 "representation"}},
      {.name = "first_variant_without_accept",
       .setup = html_and_json,
       .status = 200,
       .fields = {{"Content-Type", "text/html"},
                  {"Vary", "Accept"},
                  {"Content-Location", "/doc.html"},
                  {"ETag", R"("v1-0")"}}},
      {.name = "every_type_excluded_406",
       .setup = html_and_json,
       .request_fields = {{"Accept", "image/png, image/*;q=0.5"}},
       .status = 406,
       .fields = {{"Vary", "Accept"}, {"Content-Type", plain}},
       .absent = {"Content-Location", "ETag"},
       .body = "406 Not Acceptable\nNone of the available representations is acceptable. "
               "Available:\n  text/html at /doc.html\n  application/json at /doc.json\n",
       .last_step = "negotiate"},
      {.name = "single_variant_excluded_by_identity_q0_406",
       .setup = [](fake_resource& f) { f.add_variant("text/plain", "", "", ""); },
       .request_fields = {{"Accept-Encoding", "br, identity;q=0"}},
       .status = 406,
       .absent = {"Vary"},
       .body_contains = "text/plain\n"},
      {.name = "single_variant_excluded_by_star_q0_406",
       .setup = [](fake_resource& f) { f.add_variant("text/plain", "", "", ""); },
       .request_fields = {{"Accept-Encoding", "*;q=0"}},
       .status = 406},
      {.name = "single_variant_accepted_has_no_vary",
       .setup = [](fake_resource& f) { f.add_variant("text/plain", "", "", ""); },
       .request_fields = {{"Accept", "text/*"}},
       .status = 200,
       .absent = {"Vary", "Content-Location"}},
      {.name = "coding_chosen_by_accept_encoding",
       .setup = plain_and_gzip,
       .request_fields = {{"Accept-Encoding", "gzip"}},
       .status = 200,
       .fields = {{"Content-Encoding", "gzip"},
                  {"Vary", "Accept-Encoding"},
                  {"Content-Location", "/doc.txt.gz"},
                  {"ETag", R"("v1-1")"}}},
      {.name = "identity_without_accept_encoding",
       .setup = plain_and_gzip,
       .status = 200,
       .fields = {{"Vary", "Accept-Encoding"}, {"Content-Location", "/doc.txt"}},
       .absent = {"Content-Encoding"}},
      {.name = "repeated_accept_encoding_lines_form_one_list",
       .setup = plain_and_gzip,
       .request_fields = {{"Accept-Encoding", "identity;q=0.5"}, {"Accept-Encoding", "gzip"}},
       .status = 200,
       .fields = {{"Content-Encoding", "gzip"}}},
      {.name = "tie_offered_as_choice_300",
       .setup =
           [](fake_resource& f) {
             english_and_french(f);
             f.choice = true;
           },
       .request_fields = {{"Accept-Language", "fr, en"}},
       .status = 300,
       .fields = {{"Location", "/doc.en.html"},
                  {"Vary", "Accept-Language"},
                  {"Content-Type", "text/html; charset=utf-8"}},
       .absent = {"ETag", "Content-Location"},
       .body_contains = R"(<a href="/doc.fr.html">/doc.fr.html</a> (text/html; language fr))",
       .last_step = "negotiate"},
      {.name = "tie_without_choice_sends_first",
       .setup = english_and_french,
       .request_fields = {{"Accept-Language", "fr, en"}},
       .status = 200,
       .fields = {{"Content-Language", "en"}, {"Content-Location", "/doc.en.html"}}},
      {.name = "preference_breaks_the_tie",
       .setup =
           [](fake_resource& f) {
             english_and_french(f);
             f.choice = true;
           },
       .request_fields = {{"Accept-Language", "fr, en;q=0.8"}},
       .status = 200,
       .fields = {{"Content-Language", "fr"}, {"Vary", "Accept-Language"}}},
      {.name = "malformed_accept_is_disregarded",
       .setup = html_and_json,
       .request_fields = {{"Accept", "text/html;q=2"}},
       .status = 200,
       .fields = {{"Content-Type", "text/html"}}},
      {.name = "negotiated_304_keeps_vary_and_content_location",
       .setup = html_and_json,
       .request_fields = {{"Accept", "application/json"}, {"If-None-Match", R"("v1-1")"}},
       .status = 304,
       .fields = {{"ETag", R"("v1-1")"},
                  {"Vary", "Accept"},
                  {"Content-Location", "/doc.json"},
                  {"Cache-Control", "max-age=60"}},
       .absent = {"Content-Type", "Last-Modified"}},
      {.name = "other_variant_s_tag_does_not_match",
       .setup = html_and_json,
       .request_fields = {{"Accept", "application/json"}, {"If-None-Match", R"("v1-0")"}},
       .status = 200},
      {.name = "negotiated_412_has_vary",
       .setup =
           [](fake_resource& f) {
             html_and_json(f);
             f.allowed = {M::get, M::head, M::put};
           },
       .method = "PUT",
       .request_fields = {{"If-Match", R"("v1-0")"}, {"Accept", "application/json"}},
       .status = 412,
       .fields = {{"Vary", "Accept"}}},
      {.name = "negotiated_404_has_vary",
       .setup =
           [](fake_resource& f) {
             html_and_json(f);
             f.does_exist = false;
           },
       .status = 404,
       .fields = {{"Vary", "Accept"}}},
  };
}
INSTANTIATE_TEST_SUITE_P(Negotiation, EngineFlow, testing::ValuesIn(negotiation_cases()),
                         case_name);

// ---------------------------------------------------------------------------------------------
// Step 8: existence, redirects, 410, 451, creation.

const auto missing = [](fake_resource& f) { f.does_exist = false; };

std::function<void(fake_resource&)> moved(bool permanent, bool preserve) {
  return [=](fake_resource& f) {
    f.does_exist = false;
    f.moved_to = redirect{"/new?a=1&b=<2>", permanent, preserve};
  };
}

const auto creatable = [](fake_resource& f) {
  f.allowed = {M::get, M::head, M::put, M::delete_};
  f.does_exist = false;
  f.creatable = true;
};

std::vector<engine_case> existence_cases() {
  return {
      {.name = "not_found_404",
       .setup = missing,
       .status = 404,
       .absent = {"ETag", "Last-Modified", "Accept-Ranges"},
       .trace = {"service_available", "known_method", "method_allowed", "well_formed", "authorized",
                 "forbidden", "content_headers", "legally_blocked", "exists", "moved", "gone",
                 "not_found"}},
      // RFC 9110 §13.2.1: preconditions are ignored when the answer would be 404.
      {.name = "not_found_ignores_if_match",
       .setup = missing,
       .request_fields = {{"If-Match", R"("v1")"}},
       .status = 404},
      {.name = "not_found_ignores_if_none_match",
       .setup = missing,
       .request_fields = {{"If-None-Match", "*"}},
       .status = 404},
      {.name = "range_on_404_stays_404",
       .setup = missing,
       .request_fields = {{"Range", "bytes=0-9"}},
       .status = 404,
       .absent = {"Content-Range", "Accept-Ranges"}},
      {.name = "delete_missing_404",
       .setup = creatable,
       .method = "DELETE",
       .request_fields = {{"If-Match", "*"}},
       .status = 404},
      {.name = "moved_permanently_301",
       .setup = moved(true, false),
       .status = 301,
       .fields = {{"Location", "/new?a=1&b=<2>"}, {"Content-Type", "text/html; charset=utf-8"}},
       .body_contains = R"(<a href="/new?a=1&amp;b=&lt;2&gt;">)",
       .last_step = "moved"},
      {.name = "permanent_redirect_308",
       .setup = moved(true, true),
       .status = 308,
       .fields = {{"Location", "/new?a=1&b=<2>"}}},
      {.name = "found_302",
       .setup = moved(false, false),
       .status = 302,
       .fields = {{"Location", "/new?a=1&b=<2>"}}},
      {.name = "temporary_redirect_307",
       .setup = moved(false, true),
       .status = 307,
       .fields = {{"Location", "/new?a=1&b=<2>"}}},
      {.name = "redirect_ignores_preconditions",
       .setup = moved(true, false),
       .request_fields = {{"If-None-Match", "*"}, {"Range", "bytes=0-1"}},
       .status = 301},
      {.name = "redirect_without_location_is_a_server_error",
       .setup =
           [](fake_resource& f) {
             f.does_exist = false;
             f.moved_to = redirect{"", true, false};
           },
       .status = 500,
       .absent = {"Location"}},
      {.name = "redirect_with_crlf_in_location_is_a_server_error",
       .setup =
           [](fake_resource& f) {
             f.does_exist = false;
             f.moved_to = redirect{"/a\r\nSet-Cookie: x=1", true, false};
           },
       .status = 500,
       .absent = {"Location", "Set-Cookie"},
       .last_step = "invalid_field"},
      {.name = "gone_410",
       .setup =
           [](fake_resource& f) {
             f.does_exist = false;
             f.is_gone = true;
           },
       .status = 410,
       .last_step = "gone"},
      {.name = "moved_before_gone",
       .setup =
           [](fake_resource& f) {
             moved(true, false)(f);
             f.is_gone = true;
           },
       .status = 301},
      {.name = "legally_blocked_451",
       .setup = [](fake_resource& f) { f.blocking_entity = "https://authority.example/"; },
       .status = 451,
       .fields = {{"Link", R"(<https://authority.example/>; rel="blocked-by")"}},
       .absent = {"ETag"},
       .last_step = "legally_blocked"},
      {.name = "legally_blocked_even_when_missing",
       .setup =
           [](fake_resource& f) {
             f.blocking_entity = "https://authority.example/";
             f.does_exist = false;
             f.moved_to = redirect{"/elsewhere", true, false};
           },
       .status = 451},
      {.name = "legally_blocked_ignores_preconditions",
       .setup = [](fake_resource& f) { f.blocking_entity = "https://authority.example/"; },
       .request_fields = {{"If-None-Match", R"("v1")"}},
       .status = 451},
      {.name = "put_creates_201",
       .setup = creatable,
       .method = "PUT",
       .request_content = "hello",
       .status = 201,
       .fields = {{"Location", "/new"}},
       .absent = {"ETag"},
       .trace = {"service_available", "known_method", "method_allowed", "well_formed", "authorized",
                 "forbidden", "content_headers", "content_type", "content_size", "legally_blocked",
                 "exists", "moved", "gone", "can_create", "precondition_required", "create"}},
      {.name = "put_create_with_if_match_412",
       .setup = creatable,
       .method = "PUT",
       .request_fields = {{"If-Match", "*"}},
       .request_content = "hello",
       .status = 412,
       .last_step = "if_match"},
      {.name = "put_create_with_if_none_match_star_201",
       .setup = creatable,
       .method = "PUT",
       .request_fields = {{"If-None-Match", "*"}},
       .request_content = "hello",
       .status = 201},
      {.name = "put_create_ignores_if_unmodified_since",
       .setup = creatable,
       .method = "PUT",
       .request_fields = {{"If-Unmodified-Since", before_modified}},
       .request_content = "hello",
       .status = 201},
      {.name = "put_create_requires_precondition_428",
       .setup =
           [](fake_resource& f) {
             creatable(f);
             f.precondition_needed = true;
           },
       .method = "PUT",
       .request_content = "hello",
       .status = 428,
       .last_step = "precondition_required"},
      {.name = "put_create_conditional_201",
       .setup =
           [](fake_resource& f) {
             creatable(f);
             f.precondition_needed = true;
           },
       .method = "PUT",
       .request_fields = {{"If-None-Match", "*"}},
       .request_content = "hello",
       .status = 201},
      {.name = "put_create_conflict_409",
       .setup =
           [](fake_resource& f) {
             creatable(f);
             f.creation = effect::conflict("The parent collection does not exist.");
           },
       .method = "PUT",
       .request_content = "hello",
       .status = 409,
       .body_contains = "parent collection",
       .last_step = "create"},
      {.name = "put_cannot_create_404_ignoring_if_match",
       .setup =
           [](fake_resource& f) {
             creatable(f);
             f.creatable = false;
           },
       .method = "PUT",
       .request_fields = {{"If-Match", "*"}},
       .request_content = "hello",
       .status = 404,
       .last_step = "not_found"},
  };
}
INSTANTIATE_TEST_SUITE_P(Existence, EngineFlow, testing::ValuesIn(existence_cases()), case_name);

// ---------------------------------------------------------------------------------------------
// Step 9: preconditions, and 428.

const auto updatable = [](fake_resource& f) {
  f.allowed = {M::get, M::head, M::put, M::delete_, M::post, M::trace};
};

std::vector<engine_case> precondition_cases() {
  return {
      {.name = "if_none_match_get_304",
       .request_fields = {{"If-None-Match", R"("v1")"}},
       .status = 304,
       .fields = {{"ETag", R"("v1")"}, {"Cache-Control", "max-age=60"}},
       // RFC 9110 §15.4.5: no Last-Modified beside an ETag, no representation metadata.
       .absent = {"Last-Modified", "Content-Type", "Content-Encoding", "Accept-Ranges",
                  "Content-Range", "Vary", "Content-Location"},
       .body = "",
       .trace = {"service_available", "known_method", "method_allowed", "well_formed", "authorized",
                 "forbidden", "content_headers", "legally_blocked", "exists", "if_none_match"}},
      {.name = "if_none_match_head_304",
       .method = "HEAD",
       .request_fields = {{"If-None-Match", R"(W/"v1")"}},
       .status = 304},
      {.name = "if_none_match_weak_current_tag_304",
       .setup = [](fake_resource& f) { f.weak = true; },
       .request_fields = {{"If-None-Match", R"("v1")"}},
       .status = 304,
       .fields = {{"ETag", R"(W/"v1")"}}},
      {.name = "if_none_match_other_tag_200",
       .request_fields = {{"If-None-Match", R"("v0", "v2")"}},
       .status = 200,
       .last_step = "representation"},
      {.name = "if_none_match_put_412",
       .setup = updatable,
       .method = "PUT",
       .request_fields = {{"If-None-Match", "*"}},
       .status = 412,
       .absent = {"ETag"},
       .last_step = "if_none_match"},
      {.name = "304_carries_expires",
       .setup = [](fake_resource& f) { f.expires = now + 1h; },
       .request_fields = {{"If-None-Match", "*"}},
       .status = 304,
       .fields = {{"Expires", "Wed, 10 Jan 2024 13:00:00 GMT"}}},
      {.name = "304_without_etag_carries_last_modified",
       .setup = [](fake_resource& f) { f.etag.clear(); },
       .request_fields = {{"If-Modified-Since", modified_text}},
       .status = 304,
       .fields = {{"Last-Modified", modified_text}},
       .absent = {"ETag"},
       .last_step = "if_modified_since"},
      {.name = "if_modified_since_not_modified_304",
       .request_fields = {{"If-Modified-Since", after_modified}},
       .status = 304},
      {.name = "if_modified_since_modified_200",
       .request_fields = {{"If-Modified-Since", before_modified}},
       .status = 200,
       .fields = {{"Last-Modified", modified_text}}},
      {.name = "if_modified_since_repeated_is_ignored_200",
       .request_fields = {{"If-Modified-Since", after_modified},
                          {"If-Modified-Since", after_modified}},
       .status = 200},
      {.name = "if_modified_since_invalid_is_ignored_200",
       .request_fields = {{"If-Modified-Since", "Wed, 10 Jan 2024 11:30:00 UTC"}},
       .status = 200},
      {.name = "if_modified_since_ignored_for_delete",
       .setup = updatable,
       .method = "DELETE",
       .request_fields = {{"If-Modified-Since", after_modified}},
       .status = 204},
      // Issue 5: If-None-Match + If-Modified-Since.
      {.name = "if_none_match_mismatch_overrides_if_modified_since_200",
       .request_fields = {{"If-None-Match", R"("v2")"}, {"If-Modified-Since", after_modified}},
       .status = 200,
       .last_step = "representation"},
      {.name = "if_none_match_match_overrides_if_modified_since_304",
       .request_fields = {{"If-None-Match", R"("v1")"}, {"If-Modified-Since", before_modified}},
       .status = 304},
      {.name = "if_match_fails_412",
       .setup = updatable,
       .method = "PUT",
       .request_fields = {{"If-Match", R"("v0")"}},
       .request_content = "x",
       .status = 412,
       .body_contains = "If-Match",
       .last_step = "if_match"},
      {.name = "if_match_holds_204",
       .setup = updatable,
       .method = "PUT",
       .request_fields = {{"If-Match", R"("v0", "v1")"}},
       .request_content = "x",
       .status = 204,
       .last_step = "effect"},
      {.name = "if_match_on_get_fails_412",
       .request_fields = {{"If-Match", R"("v0")"}},
       .status = 412},
      {.name = "if_match_weak_tag_fails_412",
       .setup = updatable,
       .method = "DELETE",
       .request_fields = {{"If-Match", R"(W/"v1")"}},
       .status = 412},
      {.name = "if_unmodified_since_fails_412",
       .setup = updatable,
       .method = "DELETE",
       .request_fields = {{"If-Unmodified-Since", before_modified}},
       .status = 412,
       .body_contains = "If-Unmodified-Since",
       .last_step = "if_unmodified_since"},
      {.name = "if_unmodified_since_holds",
       .setup = updatable,
       .method = "DELETE",
       .request_fields = {{"If-Unmodified-Since", modified_text}},
       .status = 204},
      {.name = "if_unmodified_since_ignored_with_if_match",
       .setup = updatable,
       .method = "DELETE",
       .request_fields = {{"If-Match", R"("v1")"}, {"If-Unmodified-Since", before_modified}},
       .status = 204},
      {.name = "requires_precondition_428",
       .setup =
           [](fake_resource& f) {
             updatable(f);
             f.precondition_needed = true;
           },
       .method = "PUT",
       .request_content = "x",
       .status = 428,
       .body_contains = "If-Match",
       .last_step = "precondition_required"},
      {.name = "requires_precondition_if_modified_since_is_not_enough_428",
       .setup =
           [](fake_resource& f) {
             updatable(f);
             f.precondition_needed = true;
           },
       .method = "DELETE",
       .request_fields = {{"If-Modified-Since", before_modified}},
       .status = 428},
      {.name = "requires_precondition_satisfied_204",
       .setup =
           [](fake_resource& f) {
             updatable(f);
             f.precondition_needed = true;
           },
       .method = "PUT",
       .request_fields = {{"If-Match", R"("v1")"}},
       .request_content = "x",
       .status = 204},
      {.name = "requires_precondition_not_for_safe_methods",
       .setup = [](fake_resource& f) { f.precondition_needed = true; },
       .status = 200,
       .trace = full_get_path},
      {.name = "trace_ignores_preconditions",
       .setup = updatable,
       .method = "TRACE",
       .request_fields = {{"If-Match", R"("v0")"}},
       .status = 204,
       .last_step = "effect"},
      {.name = "last_modified_in_the_future_is_date",
       .setup = [](fake_resource& f) { f.last_modified = now + 24h; },
       .status = 200,
       .fields = {{"Last-Modified", now_text}}},
      {.name = "future_last_modified_compared_as_date",
       .setup =
           [](fake_resource& f) {
             f.last_modified = now + 24h;
             f.etag.clear();
           },
       .request_fields = {{"If-Modified-Since", now_text}},
       .status = 304,
       .fields = {{"Last-Modified", now_text}}},
  };
}
INSTANTIATE_TEST_SUITE_P(Preconditions, EngineFlow, testing::ValuesIn(precondition_cases()),
                         case_name);

// ---------------------------------------------------------------------------------------------
// Step 10: ranges.

const std::string two_parts =
    "--BOUNDARY\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Range: bytes 0-4/1000\r\n"
    "\r\n"
    "abcde\r\n"
    "--BOUNDARY\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Range: bytes 500-504/1000\r\n"
    "\r\n"
    "ghijk\r\n"
    "--BOUNDARY--\r\n";

// "0-0,2-2,...,58-58": thirty one-byte ranges.
const std::string& thirty_ranges() {
  static const std::string value = [] {
    std::string s = "bytes=";
    for (int i = 0; i < 30; ++i)
      s += (i ? "," : "") + std::to_string(2 * i) + "-" + std::to_string(2 * i);
    return s;
  }();
  return value;
}

std::vector<engine_case> range_cases() {
  return {
      {.name = "single_range_206",
       .request_fields = {{"Range", "bytes=0-9"}},
       .status = 206,
       .fields = {{"Content-Range", "bytes 0-9/1000"},
                  {"Content-Type", plain},
                  {"ETag", R"("v1")"},
                  {"Last-Modified", modified_text},
                  {"Cache-Control", "max-age=60"},
                  {"Accept-Ranges", "bytes"}},
       .body = slice(0, 9),
       .trace = {"service_available", "known_method", "method_allowed", "well_formed", "authorized",
                 "forbidden", "content_headers", "legally_blocked", "exists", "representation",
                 "range", "single_range"}},
      {.name = "suffix_range_206",
       .request_fields = {{"Range", "bytes=-10"}},
       .status = 206,
       .fields = {{"Content-Range", "bytes 990-999/1000"}},
       .body = slice(990, 999)},
      {.name = "open_range_clamped_206",
       .request_fields = {{"Range", "bytes=995-2000"}},
       .status = 206,
       .fields = {{"Content-Range", "bytes 995-999/1000"}},
       .body = slice(995, 999)},
      {.name = "unsatisfiable_416",
       .request_fields = {{"Range", "bytes=1000-1005"}},
       .status = 416,
       .fields = {{"Content-Range", "bytes */1000"}},
       .absent = {"ETag"},
       .last_step = "range"},
      {.name = "malformed_range_ignored_200",
       .request_fields = {{"Range", "bytes=9-0"}},
       .status = 200,
       .absent = {"Content-Range"},
       .body = default_content(),
       .last_step = "range_ignored"},
      {.name = "unknown_unit_ignored_200",
       .request_fields = {{"Range", "lines=1-2"}},
       .status = 200,
       .last_step = "range_ignored"},
      {.name = "repeated_range_field_ignored_200",
       .request_fields = {{"Range", "bytes=0-1"}, {"Range", "bytes=5-6"}},
       .status = 200,
       .last_step = "range_ignored"},
      {.name = "excessive_total_ignored_200",
       .request_fields = {{"Range", "bytes=0-999,0-999"}},
       .status = 200,
       .last_step = "range_ignored"},
      {.name = "two_ranges_multipart_206",
       .request_fields = {{"Range", "bytes=0-4, 500-504"}},
       .status = 206,
       .fields = {{"Content-Type", "multipart/byteranges; boundary=BOUNDARY"},
                  {"ETag", R"("v1")"},
                  {"Accept-Ranges", "bytes"}},
       .absent = {"Content-Range"},
       .body = two_parts,
       .last_step = "multiple_ranges"},
      {.name = "close_ranges_coalesced_into_one_206",
       .request_fields = {{"Range", "bytes=0-4,10-14"}},
       .status = 206,
       .fields = {{"Content-Range", "bytes 0-14/1000"}},
       .body = slice(0, 14),
       .last_step = "single_range"},
      {.name = "costly_multipart_ignored_200",
       .request_fields = {{"Range", thirty_ranges()}},
       .status = 200,
       .body = default_content(),
       .last_step = "range_too_costly",
       .tweak = [](engine_options& o) { o.range_limits.max_coalesce_gap = 0; }},
      {.name = "affordable_multipart_with_more_expansion",
       .request_fields = {{"Range", thirty_ranges()}},
       .status = 206,
       .last_step = "multiple_ranges",
       .tweak =
           [](engine_options& o) {
             o.range_limits.max_coalesce_gap = 0;
             o.max_multipart_expansion = 4;
           }},
      {.name = "too_many_ranges_ignored_200",
       .request_fields = {{"Range", thirty_ranges()}},
       .status = 200,
       .last_step = "range_ignored",
       .tweak =
           [](engine_options& o) {
             o.range_limits.max_coalesce_gap = 0;
             o.range_limits.max_ranges = 10;
           }},
      {.name = "head_with_range_gets_200_headers",
       .method = "HEAD",
       .request_fields = {{"Range", "bytes=0-9"}},
       .status = 200,
       .fields = {{"Content-Type", plain}, {"Accept-Ranges", "bytes"}, {"ETag", R"("v1")"}},
       .absent = {"Content-Range"},
       // The connection sends no content for HEAD but takes Content-Length from it.
       .body = default_content(),
       .last_step = "representation"},
      {.name = "range_ignored_for_post",
       .setup = updatable,
       .method = "POST",
       .request_fields = {{"Range", "bytes=0-9"}},
       .status = 204,
       .last_step = "effect"},
      {.name = "range_on_resource_without_ranges_200",
       .setup = [](fake_resource& f) { f.ranges = false; },
       .request_fields = {{"Range", "bytes=0-9"}, {"If-Range", R"("v1")"}},
       .status = 200,
       .fields = {{"Accept-Ranges", "none"}},
       .absent = {"Content-Range"},
       .last_step = "representation"},
      {.name = "empty_representation_int_range_416",
       .setup = [](fake_resource& f) { f.body.clear(); },
       .request_fields = {{"Range", "bytes=0-0"}},
       .status = 416,
       .fields = {{"Content-Range", "bytes */0"}}},
      {.name = "empty_representation_suffix_range_200",
       .setup = [](fake_resource& f) { f.body.clear(); },
       .request_fields = {{"Range", "bytes=-5"}},
       .status = 200,
       .body = "",
       .last_step = "range_ignored"},
      {.name = "if_range_strong_tag_206",
       .request_fields = {{"Range", "bytes=0-9"}, {"If-Range", R"("v1")"}},
       .status = 206,
       .last_step = "single_range"},
      // Issue 5: If-Range with a weak entity tag → the whole representation.
      {.name = "if_range_weak_tag_full_200",
       .request_fields = {{"Range", "bytes=0-9"}, {"If-Range", R"(W/"v1")"}},
       .status = 200,
       .absent = {"Content-Range"},
       .body = default_content(),
       .last_step = "if_range"},
      {.name = "if_range_against_weak_current_tag_full_200",
       .setup = [](fake_resource& f) { f.weak = true; },
       .request_fields = {{"Range", "bytes=0-9"}, {"If-Range", R"("v1")"}},
       .status = 200,
       .last_step = "if_range"},
      {.name = "if_range_other_tag_full_200",
       .request_fields = {{"Range", "bytes=0-9"}, {"If-Range", R"("v0")"}},
       .status = 200,
       .last_step = "if_range"},
      {.name = "if_range_date_206",
       .request_fields = {{"Range", "bytes=0-9"}, {"If-Range", modified_text}},
       .status = 206},
      {.name = "if_range_date_of_this_second_full_200",
       .setup = [](fake_resource& f) { f.last_modified = now; },
       .request_fields = {{"Range", "bytes=0-9"}, {"If-Range", now_text}},
       .status = 200,
       .last_step = "if_range"},
      {.name = "if_range_without_range_is_ignored",
       .request_fields = {{"If-Range", R"("v0")"}},
       .status = 200,
       .last_step = "representation"},
      // Issue 5: Range with a matching If-None-Match → 304 (preconditions first).
      {.name = "range_with_matching_if_none_match_304",
       .request_fields = {{"Range", "bytes=0-9"}, {"If-None-Match", R"("v1")"}},
       .status = 304,
       .absent = {"Content-Range"}},
      {.name = "range_with_failing_if_match_412",
       .request_fields = {{"Range", "bytes=0-9"}, {"If-Match", R"("v0")"}},
       .status = 412},
      {.name = "unsatisfiable_range_with_matching_if_none_match_304",
       .request_fields = {{"Range", "bytes=5000-"}, {"If-None-Match", R"("v1")"}},
       .status = 304},
      {.name = "whole_content_of_wrong_length_500",
       .setup = [](fake_resource& f) { f.extra_bytes = 1; },
       .status = 500,
       .last_step = "content_length_mismatch"},
      {.name = "range_of_wrong_length_500",
       .setup = [](fake_resource& f) { f.extra_bytes = 1; },
       .request_fields = {{"Range", "bytes=0-9"}},
       .status = 500,
       .absent = {"Content-Range"},
       .last_step = "content_length_mismatch"},
      {.name = "multipart_of_wrong_length_500",
       .setup = [](fake_resource& f) { f.extra_bytes = 1; },
       .request_fields = {{"Range", "bytes=0-4,500-504"}},
       .status = 500,
       .last_step = "content_length_mismatch"},
      {.name = "file_parts_single_range",
       .setup = [](fake_resource& f) { f.file_parts = true; },
       .request_fields = {{"Range", "bytes=100-199"}},
       .status = 206,
       .body = "<file 100+100>"},
      {.name = "file_parts_multipart",
       .setup = [](fake_resource& f) { f.file_parts = true; },
       .request_fields = {{"Range", "bytes=500-504,0-4"}},
       .status = 206,
       // Parts come in the order the client asked for them (RFC 9110 §15.3.7.2).
       .body = "--BOUNDARY\r\nContent-Type: text/plain; charset=utf-8\r\n"
               "Content-Range: bytes 500-504/1000\r\n\r\n<file 500+5>\r\n"
               "--BOUNDARY\r\nContent-Type: text/plain; charset=utf-8\r\n"
               "Content-Range: bytes 0-4/1000\r\n\r\n<file 0+5>\r\n--BOUNDARY--\r\n"},
      {.name = "multipart_of_negotiated_gzip_variant",
       .setup = plain_and_gzip,
       .request_fields = {{"Accept-Encoding", "gzip"}, {"Range", "bytes=0-0,999-999"}},
       .status = 206,
       .fields = {{"Content-Type", "multipart/byteranges; boundary=BOUNDARY"},
                  {"Vary", "Accept-Encoding"},
                  {"Content-Location", "/doc.txt.gz"},
                  {"ETag", R"("v1-1")"}},
       // The coding applies to the representation the parts are cut from, not to the multipart.
       .absent = {"Content-Encoding"},
       .body_contains = "Content-Type: text/plain\r\nContent-Range: bytes 999-999/1000\r\n"},
  };
}
INSTANTIATE_TEST_SUITE_P(Ranges, EngineFlow, testing::ValuesIn(range_cases()), case_name);

// ---------------------------------------------------------------------------------------------
// Step 11: the effect of other methods.

std::function<void(fake_resource&)> performs(effect e) {
  return [e](fake_resource& f) {
    updatable(f);
    f.result = e;
  };
}

effect with_etag() {
  effect e = effect::no_content();
  e.fields.add("ETag", R"("v2")");
  return e;
}

std::vector<engine_case> effect_cases() {
  return {
      {.name = "ok_200_with_text",
       .setup = performs(effect::ok("done\n")),
       .method = "POST",
       .request_content = "x",
       .status = 200,
       .fields = {{"Content-Type", plain}},
       .absent = {"ETag", "Accept-Ranges"},
       .body = "done\n"},
      {.name = "ok_200_with_json",
       .setup = performs(effect::ok("{}", "application/json")),
       .method = "POST",
       .status = 200,
       .fields = {{"Content-Type", "application/json"}},
       .body = "{}"},
      {.name = "created_201",
       .setup = performs(effect::created("/items/7")),
       .method = "POST",
       .request_content = "x",
       .status = 201,
       .fields = {{"Location", "/items/7"}},
       .body = ""},
      {.name = "accepted_202",
       .setup = performs(effect::accepted("Queued as job 12.\n")),
       .method = "POST",
       .status = 202,
       .body = "Queued as job 12.\n"},
      {.name = "no_content_204",
       .setup = performs(effect::no_content()),
       .method = "DELETE",
       .status = 204,
       .absent = {"ETag", "Location"}},
      {.name = "see_other_303",
       .setup = performs(effect::see_other("/results/1")),
       .method = "POST",
       .status = 303,
       .fields = {{"Location", "/results/1"}},
       .body_contains = R"(<a href="/results/1">)"},
      {.name = "see_other_without_location_500",
       .setup = performs(effect::see_other("")),
       .method = "POST",
       .status = 500,
       .last_step = "invalid_field"},
      {.name = "conflict_409",
       .setup = performs(effect::conflict("The item is locked by another edit.")),
       .method = "PUT",
       .request_content = "x",
       .status = 409,
       .body_contains = "locked by another edit",
       .last_step = "effect"},
      {.name = "effect_fields_are_sent",
       .setup = performs(with_etag()),
       .method = "PUT",
       .request_content = "x",
       .status = 204,
       .fields = {{"ETag", R"("v2")"}}},
  };
}
INSTANTIATE_TEST_SUITE_P(Effect, EngineFlow, testing::ValuesIn(effect_cases()), case_name);

// ---------------------------------------------------------------------------------------------
// Beyond the tables.

TEST(EngineMultipart, RandomBoundaryDiffersPerResponseAndDelimitsTheParts) {
  std::set<std::string> boundaries;
  for (int i = 0; i < 2; ++i) {
    engine_case c{.name = "random", .request_fields = {{"Range", "bytes=0-4,500-504"}}};
    c.tweak = [](engine_options& o) { o.boundary = {}; };
    const outcome o = run(c);
    ASSERT_EQ(o.r.status, 206);
    const std::string_view type = *o.r.fields.find("Content-Type");
    constexpr std::string_view prefix = "multipart/byteranges; boundary=";
    ASSERT_TRUE(type.starts_with(prefix)) << type;
    const std::string boundary{type.substr(prefix.size())};
    EXPECT_EQ(boundary.size(), 32u);
    EXPECT_EQ(boundary.find_first_not_of("0123456789abcdef"), std::string::npos) << boundary;
    std::string expected = two_parts;
    for (std::size_t at; (at = expected.find("BOUNDARY")) != std::string::npos;)
      expected.replace(at, 8, boundary);
    EXPECT_EQ(render(o.r.body), expected);
    boundaries.insert(boundary);
  }
  EXPECT_EQ(boundaries.size(), 2u);
}

TEST(EngineMultipart, TextBetweenRangesIsOnePiece) {
  const outcome o = run({.name = "pieces", .request_fields = {{"Range", "bytes=0-4,500-504"}}});
  ASSERT_EQ(o.r.status, 206);
  // header, range, separator and header, range, closing delimiter.
  EXPECT_EQ(o.r.body.pieces.size(), 5u);
  EXPECT_EQ(o.r.body.size(), two_parts.size());
  EXPECT_THAT(o.target.produced, testing::ElementsAre("0:0-4", "0:500-504"));
}

TEST(EngineTrace, WorksWithoutATrace) {
  fake_resource target;
  http1::request_head head;
  head.method = "GET";
  head.known_method = M::get;
  request req{head, {}, false, {}};
  engine_options opts;
  opts.now = now;
  const response r = decide(target, req, opts);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(render(r.body), default_content());
}

// The engine keeps the last Last-Modified it formatted, per thread: each response still
// carries its own, the earliest representable time included, first on a fresh thread.
TEST(EngineLastModified, EachResponseCarriesItsOwn) {
  std::thread fresh([] {
    http1::request_head head;
    head.method = "GET";
    head.known_method = M::get;
    engine_options opts;
    opts.now = now;
    const std::vector<std::pair<sys_seconds, std::string_view>> times{
        {sys_seconds::min(), "Sat, 01 Jan 0000 00:00:00 GMT"},
        {modified, modified_text},
        {now - 2h, before_modified},
        {modified, modified_text},
        {sys_seconds::min(), "Sat, 01 Jan 0000 00:00:00 GMT"}};
    for (const auto& [time, text] : times) {
      fake_resource target;
      target.last_modified = time;
      request req{head, {}, false, {}};
      const response r = decide(target, req, opts);
      EXPECT_EQ(r.status, 200);
      EXPECT_EQ(r.fields.find("Last-Modified"), std::optional<std::string_view>(text));
    }
  });
  fresh.join();
}

TEST(EngineTrace, ExplainsWhy412AndNot304) {
  engine_case c{.name = "both",
                .request_fields = {{"If-Match", R"("v0")"}, {"If-None-Match", R"("v1")"}}};
  const outcome o = run(c);
  EXPECT_EQ(o.r.status, 412);
  EXPECT_EQ(o.r.reason_token, "if_match");
  EXPECT_THAT(o.trace, Not(testing::Contains("if_none_match")));
}

TEST(EngineAsks, OnlyTheQuestionsThatMatter) {
  // A HEAD asks for the representation once, for the whole of it.
  const outcome head = run({.name = "head", .method = "HEAD"});
  EXPECT_THAT(head.target.produced, testing::ElementsAre("0:0-999"));
  // A 304 produces nothing.
  const outcome not_modified =
      run({.name = "304", .request_fields = {{"If-None-Match", R"("v1")"}}});
  EXPECT_TRUE(not_modified.target.produced.empty());
}

TEST(MethodSet, AllowValueInRegistryOrder) {
  EXPECT_EQ((method_set{M::options, M::put, M::get, M::head, M::delete_, M::post}).allow_value(),
            "DELETE, GET, HEAD, OPTIONS, POST, PUT");
  EXPECT_EQ(method_set{}.allow_value(), "");
  method_set s;
  EXPECT_TRUE(s.empty());
  s.insert(M::propfind);
  EXPECT_TRUE(s.contains(M::propfind));
  EXPECT_FALSE(s.contains(M::get));
}

}  // namespace
}  // namespace herald::server
