// The lab (src/handlers/lab.cpp, lab_auth.cpp, lab_content.cpp), an httpbin-compatible test
// origin, served in-process with small bounds and spoken to in raw bytes: every endpoint of its
// routes table, its status, the fields the RFCs require, its JSON as httpbin shapes it, and
// its bounds (400 naming the cap); /status/{code} for every code of the registry; redirects,
// loops and chains; Basic, Bearer and Digest authentication (the Digest response computed here
// per RFC 7616); conditional requests and ranges; the paced endpoints (delay, drip, 102, 103,
// unfinished heads, cut content, trailers); method rules; a table of httpbin's documented JSON
// shapes; and the lab mounted under a prefix behind a server::router.

#include <algorithm>
#include <chrono>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <herald/core/content_coding.hpp>
#include <herald/core/status.hpp>
#include <herald/handlers/lab.hpp>
#include <herald/server/router.hpp>

#include "support/raw_client.hpp"
#include "support/test_cases.hpp"

namespace herald::handlers {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;
using test::http_response;
using test::PrintTo;
using test::raw_client;
using test::raw_request;
using testing::HasSubstr;
using testing::Not;
using testing::StartsWith;

// The bounds every test server has: small, so that the 400 for each is cheap to reach.
lab_options small_lab(std::string prefix = "") {
  lab_options o;
  o.prefix = std::move(prefix);
  o.max_delay = 3s;  // /processing?seconds=2.5 must fit
  o.max_bytes = 4096;
  o.max_lines = 10;
  o.max_hops = 10;
  o.max_content = 64 * 1024;
  return o;
}

// A request with `body` as content (Content-Length added when there is a body or the method
// is one that carries content).
std::string request_with(std::string_view method, std::string_view target,
                         std::vector<std::string> lines, std::string_view body = {}) {
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH")
    lines.push_back("Content-Length: " + std::to_string(body.size()));
  return raw_request(method, target, std::move(lines)) + std::string(body);
}

json json_of(const http_response& r) { return json::parse(r.body, nullptr, false); }

std::string hex_digest(const EVP_MD* md, std::string_view text) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  EVP_Digest(text.data(), text.size(), out, &size, md, nullptr);
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned i = 0; i < size; ++i) {
    hex += digits[out[i] >> 4];
    hex += digits[out[i] & 0xF];
  }
  return hex;
}

std::string base64_of(std::string_view octets) {
  std::string out((octets.size() + 2) / 3 * 4 + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(octets.data()),
                          static_cast<int>(octets.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string sha256_raw(std::string_view text) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  EVP_Digest(text.data(), text.size(), out, &size, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(out), size);
}

class Lab : public testing::Test {
 protected:
  void SetUp() override {
    lab_.emplace(small_lab());
    server_.emplace(test::test_options(), *lab_);
  }

  raw_client connect() { return server_->connect(); }

  // One request on a new connection; the final response (interim ones go to `interim`).
  std::optional<http_response> fetch(std::string_view method, std::string_view target,
                                     std::vector<std::string> lines = {},
                                     std::string_view body = {},
                                     std::vector<http_response>* interim = nullptr) {
    raw_client c = connect();
    if (!c.send(request_with(method, target, std::move(lines), body))) return std::nullopt;
    return c.read_final(interim, method);
  }
  std::optional<http_response> get(std::string_view target, std::vector<std::string> lines = {}) {
    return fetch("GET", target, std::move(lines));
  }

  struct hop {
    int status;
    std::string location;
  };
  // Follows Locations from `target` (a path or an http://test.local URL), at most `limit` hops.
  std::vector<hop> follow(std::string target, int limit, std::string_view method = "GET") {
    std::vector<hop> hops;
    for (int i = 0; i < limit; ++i) {
      raw_client c = connect();
      if (!c.send(request_with(method, target, {}))) break;
      auto r = c.read_response(method);
      if (!r) break;
      hops.push_back({r->status, r->field("Location").value_or("")});
      if (r->status < 300 || r->status >= 400) break;
      target = hops.back().location;
      if (target.starts_with("http://test.local")) target.erase(0, 17);
    }
    return hops;
  }

  std::optional<lab> lab_;
  std::optional<test::running_server> server_;
};

// ----- echoes ------------------------------------------------------------------------------------

TEST_F(Lab, GetEchoesArgsHeadersOriginAndUrl) {
  auto r = get("/get?a=1&b=two%20words&a=3", {"User-Agent: lab-test", "X-Thing: x"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->field("Content-Type"), "application/json");
  json j = json_of(*r);
  ASSERT_FALSE(j.is_discarded()) << r->body;
  EXPECT_EQ(j["args"]["a"], json::array({"1", "3"}));
  EXPECT_EQ(j["args"]["b"], "two words");
  EXPECT_EQ(j["headers"]["User-Agent"], "lab-test");
  EXPECT_EQ(j["headers"]["X-Thing"], "x");
  EXPECT_EQ(j["headers"]["Host"], "test.local");
  EXPECT_EQ(j["origin"], "127.0.0.1");
  EXPECT_EQ(j["url"], "http://test.local/get?a=1&b=two%20words&a=3");
  EXPECT_FALSE(j.contains("data")) << "GET /get shows no content fields";
}

TEST_F(Lab, HeadGetHasTheFieldsWithoutContent) {
  auto r = fetch("HEAD", "/get");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "");
  EXPECT_EQ(r->field("Content-Type"), "application/json");
}

TEST_F(Lab, PostEchoesJsonContent) {
  auto r = fetch("POST", "/post?x=1", {"Content-Type: application/json"}, R"({"n": 5, "s": "t"})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  json j = json_of(*r);
  EXPECT_EQ(j["data"], R"({"n": 5, "s": "t"})");
  EXPECT_EQ(j["json"], json({{"n", 5}, {"s", "t"}}));
  EXPECT_EQ(j["form"], json::object());
  EXPECT_EQ(j["files"], json::object());
  EXPECT_EQ(j["args"]["x"], "1");
  EXPECT_EQ(j["headers"]["Content-Length"], "18");
}

TEST_F(Lab, PostEchoesFormContent) {
  auto r = fetch("POST", "/post", {"Content-Type: application/x-www-form-urlencoded"},
                 "name=Ada+Lovelace&lang=en&lang=fr&pct=%41");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  json j = json_of(*r);
  EXPECT_EQ(j["form"]["name"], "Ada Lovelace");
  EXPECT_EQ(j["form"]["lang"], json::array({"en", "fr"}));
  EXPECT_EQ(j["form"]["pct"], "A");
  EXPECT_EQ(j["data"], "");
  EXPECT_TRUE(j["json"].is_null());
}

TEST_F(Lab, BinaryContentIsShownAsADataUrl) {
  auto r = fetch("PUT", "/put", {"Content-Type: application/octet-stream"},
                 std::string("\xff\xfe\x00\x01", 4));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(json_of(*r)["data"], "data:application/octet-stream;base64,//4AAQ==");
}

TEST_F(Lab, PatchAndDeleteEchoToo) {
  auto patch = fetch("PATCH", "/patch", {}, "p");
  ASSERT_TRUE(patch);
  EXPECT_EQ(patch->status, 200);
  EXPECT_EQ(json_of(*patch)["data"], "p");
  auto del = fetch("DELETE", "/delete");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 200);
  EXPECT_EQ(json_of(*del)["data"], "");
}

TEST_F(Lab, AnythingShowsTheMethodForAnyPathBeneath) {
  for (std::string method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
    auto r = fetch(method, "/anything/any/path?x=1", {}, method == "GET" ? "" : "body");
    ASSERT_TRUE(r) << method;
    EXPECT_EQ(r->status, 200) << method;
    json j = json_of(*r);
    EXPECT_EQ(j["method"], method);
    EXPECT_EQ(j["url"], "http://test.local/anything/any/path?x=1");
    EXPECT_EQ(j["args"]["x"], "1");
    EXPECT_EQ(j["data"], method == "GET" ? "" : "body");
  }
}

// Octets that are not UTF-8 reach the echo through percent-escapes and obs-text field values
// (RFC 9110 §5.5); the echo must still answer, as httpbin does, rather than fail with a 500.
TEST_F(Lab, OctetsThatAreNotUtf8AreEchoed) {
  auto args = get("/get?x=%FF");
  ASSERT_TRUE(args);
  EXPECT_EQ(args->status, 200) << args->body;
  auto header = get("/headers", {"X-Latin: caf\xe9"});
  ASSERT_TRUE(header);
  EXPECT_EQ(header->status, 200) << header->body;
  auto form = fetch("POST", "/post", {"Content-Type: application/x-www-form-urlencoded"}, "x=%FF");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 200) << form->body;
}

TEST_F(Lab, HeadersAreTitleCased) {
  auto r = get("/headers", {"x-lower-case: v", "ACCEPT-LANGUAGE: en"});
  ASSERT_TRUE(r);
  json j = json_of(*r);
  ASSERT_TRUE(j.contains("headers")) << r->body;
  EXPECT_EQ(j.size(), 1u);
  EXPECT_EQ(j["headers"]["X-Lower-Case"], "v");
  EXPECT_EQ(j["headers"]["Accept-Language"], "en");
}

TEST_F(Lab, IpUserAgentAndUuid) {
  auto ip = get("/ip");
  ASSERT_TRUE(ip);
  EXPECT_EQ(json_of(*ip), json({{"origin", "127.0.0.1"}}));

  auto ua = get("/user-agent", {"User-Agent: curl/8.0"});
  ASSERT_TRUE(ua);
  EXPECT_EQ(json_of(*ua), json({{"user-agent", "curl/8.0"}}));

  const std::regex v4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (int i = 0; i < 5; ++i) {
    auto u = get("/uuid");
    ASSERT_TRUE(u);
    std::string id = json_of(*u)["uuid"].get<std::string>();
    EXPECT_TRUE(std::regex_match(id, v4)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 5u);
}

TEST_F(Lab, CookiesAreShownSetAndDeleted) {
  auto shown = get("/cookies", {"Cookie: flavour=oat; size=large"});
  ASSERT_TRUE(shown);
  EXPECT_EQ(json_of(*shown), json({{"cookies", {{"flavour", "oat"}, {"size", "large"}}}}));

  auto set = get("/cookies/set?flavour=oat&size=large");
  ASSERT_TRUE(set);
  EXPECT_EQ(set->status, 302);
  EXPECT_EQ(set->field("Location"), "/cookies");
  EXPECT_EQ(set->count("Set-Cookie"), 2u);
  EXPECT_THAT(set->head, HasSubstr("Set-Cookie: flavour=oat; Path=/\r\n"));

  auto one = get("/cookies/set/name/value");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->field("Set-Cookie"), "name=value; Path=/");

  auto del = get("/cookies/delete?flavour");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 302);
  EXPECT_THAT(*del->field("Set-Cookie"), StartsWith("flavour=; Expires=Thu, 01 Jan 1970"));
  EXPECT_THAT(*del->field("Set-Cookie"), HasSubstr("Max-Age=0"));

  auto bad = get("/cookies/set?x=a%20b");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400) << "a space is no cookie-octet (RFC 6265 §4.1.1)";
}

// ----- /status/{code} ------------------------------------------------------------------------------

std::vector<int> registry_codes() {
  std::vector<int> codes;
  for (const core::status_info& s : core::all_statuses())
    if (codes.empty() || codes.back() != s.code) codes.push_back(s.code);
  return codes;
}

// The field name of a response_field: "Link (rel="blocked-by")" is the Link field.
std::string field_name(core::response_field f) {
  std::string_view name = core::to_string(f);
  return std::string(name.substr(0, name.find(' ')));
}

// RFC 9110 §15.3.7 and §15.4.5: these MUST go with a 206 or 304 only when a 200 to the same
// request would have had them.
bool conditional_on_200(int code, core::response_field f) {
  using enum core::response_field;
  return (code == 206 || code == 304) &&
         (f == content_location || f == etag || f == vary || f == cache_control || f == expires);
}

// Recommended fields whose SHOULD holds only under a condition a bare /status/{code} does not
// meet: Retry-After with 413 when the condition is temporary; Accept-Encoding with 415 when a
// content coding is at fault.
bool recommendation_applies(int code, core::response_field f) {
  using enum core::response_field;
  return !(code == 413 && f == retry_after) && !(code == 415 && f == accept_encoding);
}

class LabStatus : public testing::TestWithParam<int> {
 protected:
  static void SetUpTestSuite() {
    lab_ = new lab(small_lab());
    server_ = new test::running_server(test::test_options(), *lab_);
    // What a 200 to /status/{code} carries, for the fields RFC 9110 ties to it.
    raw_client c = server_->connect();
    c.send(raw_request("GET", "/status/200"));
    auto r = c.read_response();
    if (r) ok_ = new http_response(*r);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete lab_;
    delete ok_;
  }
  static lab* lab_;
  static test::running_server* server_;
  static http_response* ok_;
};
lab* LabStatus::lab_ = nullptr;
test::running_server* LabStatus::server_ = nullptr;
http_response* LabStatus::ok_ = nullptr;

TEST_P(LabStatus, AnswersTheCodeWithTheFieldsItRequires) {
  const int code = GetParam();
  const core::status_info* info = core::find_status(code);
  ASSERT_NE(info, nullptr);
  ASSERT_NE(ok_, nullptr) << "GET /status/200 failed";
  raw_client c = server_->connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/status/" + std::to_string(code))));

  if (code == 444) {
    // nginx's 444: no response, the connection closes.
    EXPECT_TRUE(c.wait_closed(2s));
    EXPECT_EQ(c.buffered(), "");
    return;
  }
  if (code == 101) {
    // Without an upgrade request a 101 cannot be sent (RFC 9110 §15.2.2): 426 + Upgrade.
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 426);
    EXPECT_EQ(r->field("Upgrade"), "echo");
    EXPECT_TRUE(r->has_token("Connection", "upgrade"));
    return;
  }
  std::vector<http_response> interim;
  auto r = c.read_final(&interim);
  ASSERT_TRUE(r) << test::to_string(c.last_end());
  if (code < 200) {
    ASSERT_EQ(interim.size(), 1u);
    EXPECT_EQ(interim[0].status, code);
    EXPECT_EQ(r->status, 200);
    if (code == 103) {
      EXPECT_THAT(interim[0].field("Link").value_or(""), HasSubstr("rel=preload"));
    }
    return;
  }
  EXPECT_TRUE(interim.empty());
  EXPECT_EQ(r->status, code);
  EXPECT_TRUE(r->has("Date"));

  for (int bit = 0; bit < core::response_field_count; ++bit) {
    const auto f = static_cast<core::response_field>(1u << bit);
    const std::string name = field_name(f);
    if (info->required_fields.contains(f)) {
      if (conditional_on_200(code, f)) {
        EXPECT_EQ(r->has(name), ok_->has(name))
            << name << ": a " << code << " carries it when a 200 would";
      } else {
        EXPECT_TRUE(r->has(name)) << code << " requires " << name << ":\n" << r->head;
      }
    }
    if (info->recommended_fields.contains(f) && recommendation_applies(code, f)) {
      EXPECT_TRUE(r->has(name)) << code << " should carry " << name << ":\n" << r->head;
    }
  }

  if (core::content_forbidden(code)) {
    EXPECT_EQ(r->body, "");
    EXPECT_FALSE(r->has("Transfer-Encoding"));
    if (code != 205) {
      EXPECT_FALSE(r->has("Content-Length"));
    }
  }
  if (code >= 300 && code < 400 && code != 304 && code != 306) {
    ASSERT_TRUE(r->has("Location"));
    EXPECT_EQ(r->field("Location"), code == 305 ? "http://test.local/" : "/anything");
  }
  if (code >= 400 && code != 418) {
    EXPECT_EQ(r->field("Content-Type"), "application/problem+json");
    json j = json_of(*r);
    EXPECT_EQ(j["status"], code);
    EXPECT_EQ(j["title"], std::string(core::reason_phrase(code)));
  }
  switch (code) {
    case 401:
      EXPECT_THAT(r->field("WWW-Authenticate").value_or(""), StartsWith("Basic realm="));
      break;
    case 405:
      EXPECT_EQ(r->field("Allow"), "DELETE, HEAD, OPTIONS, PATCH, POST, PUT")
          << "every method but the one refused";
      break;
    case 407:
      EXPECT_THAT(r->field("Proxy-Authenticate").value_or(""), StartsWith("Basic realm="));
      break;
    case 416:
      EXPECT_EQ(r->field("Content-Range"), "bytes */0");
      break;
    case 429:
    case 503:
      EXPECT_EQ(r->field("Retry-After"), "1");
      break;
    case 451:
      EXPECT_THAT(r->field("Link").value_or(""), HasSubstr("rel=\"blocked-by\""));
      break;
    case 206:
      EXPECT_EQ(r->field("Content-Range"), "bytes 0-15/26");
      EXPECT_EQ(r->body, "abcdefghijklmnop");
      break;
    case 418:
      EXPECT_THAT(r->body, HasSubstr("teapot"));
      break;
    case 426:
      EXPECT_EQ(r->field("Upgrade"), "echo");
      break;
    default:
      break;
  }
}

INSTANTIATE_TEST_SUITE_P(LabRegistry, LabStatus, testing::ValuesIn(registry_codes()),
                         [](const testing::TestParamInfo<int>& i) {
                           return "Code" + std::to_string(i.param);
                         });

TEST_F(Lab, StatusRetryAfterComesFromTheQuery) {
  auto r = get("/status/429?retry_after=30");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(r->field("Retry-After"), "30");
}

TEST_F(Lab, StatusRetryAfterIsValidatedAsRetryAfterIs) {
  // RFC 9110 §10.2.3: delay-seconds or an HTTP-date; /retry-after/soon is a 400 for this reason.
  auto r = get("/status/503?retry_after=soon");
  ASSERT_TRUE(r);
  EXPECT_NE(r->field("Retry-After"), "soon") << r->head;
}

// lab_parts.hpp: call::host() is "Host, or the listening address".
// RFC 9112 §3.3 leaves such a request without an authority; the lab names "localhost" (its
// handlers do not see the listening address).
TEST_F(Lab, WithoutHostAbsoluteUrlsNameLocalhost) {
  raw_client c = connect();
  ASSERT_TRUE(c.send("GET /absolute-redirect/1 HTTP/1.0\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(r->field("Location"), "http://localhost/get");
}

TEST_F(Lab, StatusUpgradeToEchoSwitchesAndEchoes) {
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/status/101", {"Connection: Upgrade", "Upgrade: echo"}) +
                     "early"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 101);
  EXPECT_EQ(r->field("Upgrade"), "echo");
  EXPECT_TRUE(r->has_token("Connection", "upgrade"));
  EXPECT_EQ(c.read_exactly(5, 2s), "early") << "bytes after the request are the protocol's";
  ASSERT_TRUE(c.send("ping, pong"));
  EXPECT_EQ(c.read_exactly(10, 2s), "ping, pong");
}

TEST_F(Lab, StatusNeverSwitchesAnHttp10Connection) {
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/status/101", {"Connection: Upgrade", "Upgrade: echo"},
                                 "HTTP/1.0")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 426) << "RFC 9110 §7.8: Upgrade in an HTTP/1.0 request is ignored";
}

TEST_F(Lab, StatusChoosesAmongCodes) {
  std::set<int> seen;
  for (int i = 0; i < 24; ++i) {
    auto r = get("/status/200,201");
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->status == 200 || r->status == 201) << r->status;
    seen.insert(r->status);
  }
  EXPECT_EQ(seen, (std::set<int>{200, 201})) << "24 uniform picks never gave one of two codes";
  for (int i = 0; i < 10; ++i) {
    auto r = get("/status/200:0,500:1");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 500) << "a weight of 0 is never chosen";
  }
}

TEST_F(Lab, StatusOutsideTheRangeIs400) {
  for (std::string target : {"/status/99", "/status/600", "/status/abc", "/status/200:x",
                             "/status/200:0"}) {
    auto r = get(target);
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 400) << target;
    EXPECT_EQ(r->field("Content-Type"), "application/problem+json") << target;
  }
}

TEST_F(Lab, StatusListsTheRegistry) {
  auto r = get("/status");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->field("Content-Type"), "text/html; charset=utf-8");
  for (int code : registry_codes())
    EXPECT_THAT(r->body, HasSubstr("href=\"/status/" + std::to_string(code) + "\"")) << code;
}

// ----- redirects ----------------------------------------------------------------------------------


TEST_F(Lab, RedirectGoesThroughRelativeRedirectsToGet) {
  auto hops = follow("/redirect/3", 10);
  ASSERT_EQ(hops.size(), 4u);
  EXPECT_EQ(hops[0].status, 302);
  EXPECT_EQ(hops[0].location, "/relative-redirect/2");
  EXPECT_EQ(hops[1].status, 302);
  EXPECT_EQ(hops[1].location, "/relative-redirect/1");
  EXPECT_EQ(hops[2].status, 302);
  EXPECT_EQ(hops[2].location, "/get");
  EXPECT_EQ(hops[3].status, 200);
}

TEST_F(Lab, AbsoluteRedirectUsesTheHost) {
  auto hops = follow("/absolute-redirect/2", 10);
  ASSERT_EQ(hops.size(), 3u);
  EXPECT_EQ(hops[0].location, "http://test.local/absolute-redirect/1");
  EXPECT_EQ(hops[1].location, "http://test.local/get");
  EXPECT_EQ(hops[2].status, 200);
  auto absolute = get("/redirect/2?absolute=true");
  ASSERT_TRUE(absolute);
  EXPECT_EQ(absolute->field("Location"), "http://test.local/absolute-redirect/1");
}

TEST_F(Lab, RedirectToTakesUrlAndStatusCode) {
  auto r = get("/redirect-to?url=%2Fget%3Fa%3D1&status_code=307");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 307);
  EXPECT_EQ(r->field("Location"), "/get?a=1");
  auto away = get("/redirect-to?url=http%3A%2F%2Fexample.com%2F");
  ASSERT_TRUE(away);
  EXPECT_EQ(away->status, 302);
  EXPECT_EQ(away->field("Location"), "http://example.com/");
  auto post = fetch("POST", "/redirect-to?url=/post&status_code=308");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 308);
  for (std::string bad : {"/redirect-to", "/redirect-to?url=/x&status_code=200",
                          "/redirect-to?url=/x&status_code=400", "/redirect-to?url=%0D%0Ax"}) {
    auto r400 = get(bad);
    ASSERT_TRUE(r400) << bad;
    EXPECT_EQ(r400->status, 400) << bad;
  }
}

TEST_F(Lab, LoopCyclesBackAfterItsLength) {
  auto hops = follow("/loop/3", 4);
  ASSERT_EQ(hops.size(), 4u);
  EXPECT_EQ(hops[0].location, "/loop/3/1");
  EXPECT_EQ(hops[1].location, "/loop/3/2");
  EXPECT_EQ(hops[2].location, "/loop/3");
  EXPECT_EQ(hops[3].location, "/loop/3/1");
  for (const hop& h : hops) EXPECT_EQ(h.status, 302);
  auto coded = get("/loop/2?code=308");
  ASSERT_TRUE(coded);
  EXPECT_EQ(coded->status, 308);
  EXPECT_EQ(coded->field("Location"), "/loop/2/1?code=308") << "the query goes round too";
}

TEST_F(Lab, ChainGivesExactlyNHopsOfOneCode) {
  auto hops = follow("/chain/308/3", 10);
  ASSERT_EQ(hops.size(), 4u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(hops[static_cast<std::size_t>(i)].status, 308);
  EXPECT_EQ(hops[0].location, "/chain/308/3/1");
  EXPECT_EQ(hops[1].location, "/chain/308/3/2");
  EXPECT_EQ(hops[2].location, "/anything");
  EXPECT_EQ(hops[3].status, 200);
  auto not_redirecting = get("/chain/304/2");
  ASSERT_TRUE(not_redirecting);
  EXPECT_EQ(not_redirecting->status, 400);
}

TEST_F(Lab, RedirectCountsAreBounded) {
  for (std::string target : {"/redirect/11", "/relative-redirect/11", "/absolute-redirect/11",
                             "/loop/11", "/chain/307/11", "/links/11", "/redirect/0"}) {
    auto r = get(target);
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 400) << target;
    if (target != "/redirect/0") {
      EXPECT_THAT(json_of(*r)["detail"].get<std::string>(), HasSubstr("10")) << target;
    }
  }
}

// ----- authentication ----------------------------------------------------------------------------

TEST_F(Lab, BasicAuth) {
  // "user:passwd"
  auto right = get("/basic-auth/user/passwd", {"Authorization: Basic dXNlcjpwYXNzd2Q="});
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 200);
  EXPECT_EQ(json_of(*right), json({{"authenticated", true}, {"user", "user"}}));

  auto lower_scheme = get("/basic-auth/user/passwd", {"Authorization: basic dXNlcjpwYXNzd2Q="});
  ASSERT_TRUE(lower_scheme);
  EXPECT_EQ(lower_scheme->status, 200) << "the scheme is case-insensitive (RFC 9110 §11.1)";

  // "user:wrong"
  auto wrong = get("/basic-auth/user/passwd", {"Authorization: Basic dXNlcjp3cm9uZw=="});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_THAT(wrong->field("WWW-Authenticate").value_or(""), StartsWith("Basic realm=\""));

  auto missing = get("/basic-auth/user/passwd");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 401);
  EXPECT_THAT(missing->field("WWW-Authenticate").value_or(""), StartsWith("Basic realm=\""));
}

TEST_F(Lab, HiddenBasicAuthIs404WithoutChallenge) {
  auto missing = get("/hidden-basic-auth/user/passwd");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_FALSE(missing->has("WWW-Authenticate"));
  auto wrong = get("/hidden-basic-auth/user/passwd", {"Authorization: Basic dXNlcjp3cm9uZw=="});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 404);
  EXPECT_FALSE(wrong->has("WWW-Authenticate"));
  auto right = get("/hidden-basic-auth/user/passwd", {"Authorization: Basic dXNlcjpwYXNzd2Q="});
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 200);
}

TEST_F(Lab, Bearer) {
  auto right = get("/bearer", {"Authorization: Bearer abc.def"});
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 200);
  EXPECT_EQ(json_of(*right), json({{"authenticated", true}, {"token", "abc.def"}}));
  for (std::vector<std::string> lines : {std::vector<std::string>{},
                                         std::vector<std::string>{"Authorization: Bearer"},
                                         std::vector<std::string>{"Authorization: Basic eDp5"}}) {
    auto r = get("/bearer", lines);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
    EXPECT_THAT(r->field("WWW-Authenticate").value_or(""), StartsWith("Bearer realm=\""));
  }
}

// The auth-params of a challenge: name=token or name="quoted string".
std::map<std::string, std::string> challenge_params(std::string_view challenge) {
  std::map<std::string, std::string> out;
  static const std::regex param(R"re(([A-Za-z-]+)=(?:"([^"]*)"|([^,\s]+)))re");
  std::string text(challenge);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), param);
       it != std::sregex_iterator(); ++it)
    out[(*it)[1].str()] = (*it)[2].matched ? (*it)[2].str() : (*it)[3].str();
  return out;
}

struct digest_answer {
  std::string user = "user";
  std::string password = "passwd";
  std::string method = "GET";
  std::string uri;
  std::string body;
  std::string qop = "auth";
  std::string algorithm = "MD5";
  std::string realm;
  std::string nonce;
  std::string opaque;
  std::string cnonce = "0a4f113b";
  std::string nc = "00000001";
};

// RFC 7616 §3.4.1: response = H(H(A1):nonce:nc:cnonce:qop:H(A2)), A1 = user:realm:password,
// A2 = method:uri, and for auth-int method:uri:H(entity-body).
// With "-sess" (§3.4.2), H(A1) = H(H(user:realm:password):nonce:cnonce).
std::string digest_authorization(const digest_answer& d) {
  const bool session = d.algorithm.ends_with("-sess");
  const std::string base = session ? d.algorithm.substr(0, d.algorithm.size() - 5) : d.algorithm;
  const EVP_MD* md = base == "SHA-256"       ? EVP_sha256()
                     : base == "SHA-512-256" ? EVP_sha512_256()
                                             : EVP_md5();
  auto h = [md](std::string_view text) { return hex_digest(md, text); };
  std::string ha1 = h(d.user + ":" + d.realm + ":" + d.password);
  if (session) ha1 = h(ha1 + ":" + d.nonce + ":" + d.cnonce);
  std::string a2 = d.method + ":" + d.uri;
  if (d.qop == "auth-int") a2 += ":" + h(d.body);
  const std::string response =
      h(ha1 + ":" + d.nonce + ":" + d.nc + ":" + d.cnonce + ":" + d.qop + ":" + h(a2));
  return "Authorization: Digest username=\"" + d.user + "\", realm=\"" + d.realm +
         "\", nonce=\"" + d.nonce + "\", uri=\"" + d.uri + "\", algorithm=" + d.algorithm +
         ", qop=" + d.qop + ", nc=" + d.nc + ", cnonce=\"" + d.cnonce + "\", response=\"" +
         response + "\", opaque=\"" + d.opaque + "\"";
}

class LabDigest : public Lab {
 protected:
  // The challenge for `uri`, and an answer to it with the right password.
  digest_answer challenge(const std::string& uri, std::string_view method = "GET",
                          std::string_view body = {}) {
    auto r = fetch(method, uri, {}, body);
    digest_answer d;
    if (!r) {
      ADD_FAILURE() << "no response to " << uri;
      return d;
    }
    EXPECT_EQ(r->status, 401);
    const std::string field = r->field("WWW-Authenticate").value_or("");
    EXPECT_THAT(field, StartsWith("Digest "));
    auto params = challenge_params(field);
    d.method = std::string(method);
    d.uri = uri;
    d.body = std::string(body);
    d.realm = params["realm"];
    d.nonce = params["nonce"];
    d.opaque = params["opaque"];
    d.qop = params["qop"];
    d.algorithm = params["algorithm"];
    EXPECT_FALSE(d.nonce.empty()) << field;
    EXPECT_EQ(params.count("stale"), 0u) << field;
    return d;
  }
};

TEST_F(LabDigest, Md5WithQopAuth) {
  digest_answer d = challenge("/digest-auth/auth/user/passwd/MD5");
  EXPECT_EQ(d.algorithm, "MD5");
  EXPECT_EQ(d.qop, "auth");
  auto r = get(d.uri, {digest_authorization(d)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json_of(*r), json({{"authenticated", true}, {"user", "user"}}));
}

TEST_F(LabDigest, Md5IsTheDefaultAlgorithm) {
  digest_answer d = challenge("/digest-auth/auth/user/passwd");
  EXPECT_EQ(d.algorithm, "MD5");
  auto r = get(d.uri, {digest_authorization(d)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(LabDigest, Sha256WithQopAuth) {
  digest_answer d = challenge("/digest-auth/auth/user/passwd/SHA-256");
  EXPECT_EQ(d.algorithm, "SHA-256");
  auto r = get(d.uri, {digest_authorization(d)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(LabDigest, Md5AndSha256WithQopAuthIntCoverTheContent) {
  for (std::string algorithm : {"MD5", "SHA-256"}) {
    digest_answer d =
        challenge("/digest-auth/auth-int/user/passwd/" + algorithm, "POST", "the content");
    EXPECT_EQ(d.qop, "auth-int");
    auto r = fetch("POST", d.uri, {digest_authorization(d)}, "the content");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << algorithm << ": " << r->body;
    // The same answer for other content does not match: auth-int covers it.
    auto changed = fetch("POST", d.uri, {digest_authorization(d)}, "other content");
    ASSERT_TRUE(changed);
    EXPECT_EQ(changed->status, 401) << algorithm;
  }
}

TEST_F(LabDigest, SessionAlgorithmsAndSha512256) {
  for (std::string algorithm : {"MD5-sess", "SHA-256-sess", "SHA-512-256", "SHA-512-256-sess"}) {
    digest_answer d = challenge("/digest-auth/auth/user/passwd/" + algorithm);
    EXPECT_EQ(d.algorithm, algorithm);
    auto r = get(d.uri, {digest_authorization(d)});
    ASSERT_TRUE(r) << algorithm;
    EXPECT_EQ(r->status, 200) << algorithm << ": " << r->body;
    // -sess binds the cnonce into H(A1): another cnonce with the same response fails.
    std::string forged = digest_authorization(d);
    forged.replace(forged.find("cnonce=\"0a4f113b\""), 17, "cnonce=\"ffffffff\"");
    auto refused = get(d.uri, {forged});
    ASSERT_TRUE(refused) << algorithm;
    EXPECT_EQ(refused->status, 401) << algorithm;
  }
}

TEST_F(LabDigest, UriOtherThanTheTargetIs400) {
  digest_answer d = challenge("/digest-auth/auth/user/passwd/MD5");
  d.uri = "/digest-auth/auth/user/passwd";
  auto r = get("/digest-auth/auth/user/passwd/MD5", {digest_authorization(d)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
}

TEST_F(LabDigest, WrongPasswordIs401WithAFreshChallenge) {
  digest_answer d = challenge("/digest-auth/auth/user/passwd/SHA-256");
  d.password = "wrong";
  auto r = get(d.uri, {digest_authorization(d)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  const std::string field = r->field("WWW-Authenticate").value_or("");
  EXPECT_THAT(field, StartsWith("Digest "));
  EXPECT_THAT(field, Not(HasSubstr("stale=true")));
}

TEST_F(LabDigest, ForeignNonceIsStale) {
  digest_answer d = challenge("/digest-auth/auth/user/passwd/MD5");
  d.nonce = std::string(48, '0');  // the right digest, for a nonce the server never gave
  auto r = get(d.uri, {digest_authorization(d)});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  const std::string field = r->field("WWW-Authenticate").value_or("");
  EXPECT_THAT(field, HasSubstr("stale=true"));
  EXPECT_NE(challenge_params(field)["nonce"], d.nonce);
}

TEST_F(LabDigest, BadQopOrAlgorithmIs400) {
  for (std::string uri : {"/digest-auth/other/user/passwd", "/digest-auth/auth/user/passwd/SHA-1"}) {
    auto r = get(uri);
    ASSERT_TRUE(r) << uri;
    EXPECT_EQ(r->status, 400) << uri;
  }
}

// ----- caching and conditional requests -----------------------------------------------------------

TEST_F(Lab, CacheAnswers304ForItsOwnETag) {
  auto first = get("/cache");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  ASSERT_TRUE(first->has("ETag"));
  EXPECT_THAT(*first->field("ETag"), StartsWith("W/\""));
  EXPECT_TRUE(first->has("Last-Modified"));
  auto again = get("/cache", {"If-None-Match: " + *first->field("ETag")});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_EQ(again->field("ETag"), first->field("ETag"));
  EXPECT_EQ(again->body, "");
  auto since = get("/cache", {"If-Modified-Since: " + *first->field("Last-Modified")});
  ASSERT_TRUE(since);
  EXPECT_EQ(since->status, 304);
  auto other = get("/cache", {"If-None-Match: \"something-else\""});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
  EXPECT_EQ(json_of(*other)["url"], "http://test.local/cache");
}

TEST_F(Lab, CacheWithSecondsSetsMaxAge) {
  auto r = get("/cache/60");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->field("Cache-Control"), "public, max-age=60");
  EXPECT_TRUE(json_of(*r).contains("headers"));
}

TEST_F(Lab, ETagEndpointEvaluatesPreconditions) {
  auto plain = get("/etag/xyzzy");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 200);
  EXPECT_EQ(plain->field("ETag"), "\"xyzzy\"");
  auto none_match = get("/etag/xyzzy", {"If-None-Match: \"xyzzy\""});
  ASSERT_TRUE(none_match);
  EXPECT_EQ(none_match->status, 304);
  EXPECT_EQ(none_match->field("ETag"), "\"xyzzy\"");
  auto match_other = get("/etag/xyzzy", {"If-Match: \"other\""});
  ASSERT_TRUE(match_other);
  EXPECT_EQ(match_other->status, 412);
  auto match = get("/etag/xyzzy", {"If-Match: \"xyzzy\""});
  ASSERT_TRUE(match);
  EXPECT_EQ(match->status, 200);
  // RFC 9110 §13.1.2: If-None-Match compares weakly, "*" matches any current representation.
  auto weak_none_match = get("/etag/xyzzy", {"If-None-Match: W/\"xyzzy\""});
  ASSERT_TRUE(weak_none_match);
  EXPECT_EQ(weak_none_match->status, 304);
  auto star = get("/etag/xyzzy", {"If-None-Match: *"});
  ASSERT_TRUE(star);
  EXPECT_EQ(star->status, 304);
  // RFC 9110 §13.1.1: If-Match compares strongly, so a weak tag never matches.
  auto weak_match = get("/etag/xyzzy", {"If-Match: W/\"xyzzy\""});
  ASSERT_TRUE(weak_match);
  EXPECT_EQ(weak_match->status, 412);
  auto list = get("/etag/xyzzy", {"If-None-Match: \"a\", \"xyzzy\""});
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 304);
  auto bad = get("/etag/a%22b");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
}

TEST_F(Lab, RangeServesPartsOfTheAlphabet) {
  auto whole = get("/range/100");
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->status, 200);
  EXPECT_EQ(whole->body.size(), 100u);
  EXPECT_EQ(whole->body.substr(0, 27), "abcdefghijklmnopqrstuvwxyza");
  EXPECT_EQ(whole->field("Accept-Ranges"), "bytes");

  auto part = get("/range/100", {"Range: bytes=0-9"});
  ASSERT_TRUE(part);
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->field("Content-Range"), "bytes 0-9/100");
  EXPECT_EQ(part->body, "abcdefghij");
  // RFC 9110 §15.3.7: what a 200 would carry goes with the 206.
  EXPECT_EQ(part->field("ETag"), whole->field("ETag"));

  auto beyond = get("/range/100", {"Range: bytes=200-"});
  ASSERT_TRUE(beyond);
  EXPECT_EQ(beyond->status, 416);
  EXPECT_EQ(beyond->field("Content-Range"), "bytes */100");

  // Ranges far apart go as multipart/byteranges (RFC 9110 §14.6); near ones may be coalesced.
  auto two = get("/range/1000", {"Range: bytes=0-1,900-901"});
  ASSERT_TRUE(two);
  EXPECT_EQ(two->status, 206);
  EXPECT_THAT(two->field("Content-Type").value_or(""), StartsWith("multipart/byteranges; boundary="));
  EXPECT_THAT(two->body, HasSubstr("Content-Range: bytes 0-1/1000\r\n\r\nab\r\n"));
  EXPECT_THAT(two->body, HasSubstr("Content-Range: bytes 900-901/1000\r\n\r\nqr\r\n"));
  auto near = get("/range/100", {"Range: bytes=0-1,5-6"});
  ASSERT_TRUE(near);
  EXPECT_EQ(near->status, 206);
  EXPECT_EQ(near->field("Content-Range"), "bytes 0-6/100");
  EXPECT_EQ(near->body, "abcdefg");

  auto same = get("/range/100", {"Range: bytes=90-", "If-Range: " + whole->field("ETag").value_or("")});
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 206);
  EXPECT_EQ(same->body, "mnopqrstuv");

  auto too_long = get("/range/4097");
  ASSERT_TRUE(too_long);
  EXPECT_EQ(too_long->status, 400);
}

TEST_F(Lab, ConditionalTakesItsValidatorsFromTheQuery) {
  auto fresh = get("/conditional?etag=v1", {"If-None-Match: \"v1\""});
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->status, 304);
  EXPECT_EQ(fresh->field("ETag"), "\"v1\"");

  auto lost_update = fetch("PUT", "/conditional?etag=v1", {"If-Match: \"v2\""}, "new");
  ASSERT_TRUE(lost_update);
  EXPECT_EQ(lost_update->status, 412);

  auto update = fetch("PUT", "/conditional?etag=v1", {"If-Match: \"v1\""}, "new");
  ASSERT_TRUE(update);
  EXPECT_EQ(update->status, 204);

  auto create = fetch("PUT", "/conditional?exists=0", {}, "new");
  ASSERT_TRUE(create);
  EXPECT_EQ(create->status, 201);

  auto missing = get("/conditional?exists=0");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);

  auto weak = get("/conditional?etag=v1&weak=1");
  ASSERT_TRUE(weak);
  EXPECT_EQ(weak->field("ETag"), "W/\"v1\"");

  auto dated = get("/conditional?last_modified=Sun,%2006%20Nov%201994%2008:49:37%20GMT",
                   {"If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT"});
  ASSERT_TRUE(dated);
  EXPECT_EQ(dated->status, 304);

  auto bad = get("/conditional?last_modified=yesterday");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
}

TEST_F(Lab, ChangingHasANewETagEveryTime) {
  auto first = get("/changing/32");
  auto second = get("/changing/32");
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body.size(), 32u);
  ASSERT_TRUE(first->has("ETag"));
  ASSERT_TRUE(second->has("ETag"));
  EXPECT_NE(first->field("ETag"), second->field("ETag"));

  // RFC 9110 §13.1.5: If-Range with an old validator gets the whole representation.
  auto resumed = get("/changing/32", {"Range: bytes=0-3", "If-Range: " + *first->field("ETag")});
  ASSERT_TRUE(resumed);
  EXPECT_EQ(resumed->status, 200);
  EXPECT_EQ(resumed->body.size(), 32u);
  EXPECT_FALSE(resumed->has("Content-Range"));

  auto ranged = get("/changing/32", {"Range: bytes=0-3"});
  ASSERT_TRUE(ranged);
  EXPECT_EQ(ranged->status, 206);
  EXPECT_EQ(ranged->body, "vers");
}

// ----- generated content -------------------------------------------------------------------------

TEST_F(Lab, BytesAreRepeatableWithASeed) {
  auto a = get("/bytes/16?seed=1");
  auto b = get("/bytes/16?seed=1");
  auto c = get("/bytes/16?seed=2");
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(a->field("Content-Type"), "application/octet-stream");
  EXPECT_EQ(a->body.size(), 16u);
  EXPECT_EQ(a->body, b->body);
  EXPECT_NE(a->body, c->body);
  auto unseeded1 = get("/bytes/16");
  auto unseeded2 = get("/bytes/16");
  ASSERT_TRUE(unseeded1 && unseeded2);
  EXPECT_NE(unseeded1->body, unseeded2->body);

  auto too_many = get("/bytes/4097");
  ASSERT_TRUE(too_many);
  EXPECT_EQ(too_many->status, 400);
  EXPECT_EQ(too_many->field("Content-Type"), "application/problem+json");
  EXPECT_THAT(json_of(*too_many)["detail"].get<std::string>(), HasSubstr("4096"));
  auto edge = get("/bytes/4096");
  ASSERT_TRUE(edge);
  EXPECT_EQ(edge->status, 200);
  EXPECT_EQ(edge->body.size(), 4096u);
}

TEST_F(Lab, StreamBytesAreChunked) {
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/stream-bytes/100?chunk_size=30&seed=1",
                                 {"Connection: close"})));
  ASSERT_TRUE(c.wait_closed(2s));
  const std::string wire = c.buffered();
  const std::size_t end = wire.find("\r\n\r\n");
  ASSERT_NE(end, std::string::npos);
  EXPECT_THAT(wire.substr(0, end), HasSubstr("Transfer-Encoding: chunked"));
  EXPECT_THAT(wire.substr(0, end), Not(HasSubstr("Content-Length")));
  // Three chunks of 30 (1e in hex) and one of 10, then the last chunk.
  std::string body = wire.substr(end + 4);
  std::size_t at = 0;
  std::vector<std::string> sizes;
  std::string content;
  while (at < body.size()) {
    std::size_t line_end = body.find("\r\n", at);
    ASSERT_NE(line_end, std::string::npos);
    std::string size = body.substr(at, line_end - at);
    sizes.push_back(size);
    std::size_t n = std::stoul(size, nullptr, 16);
    content += body.substr(line_end + 2, n);
    at = line_end + 2 + n + 2;
    if (n == 0) break;
  }
  EXPECT_EQ(sizes, (std::vector<std::string>{"1e", "1e", "1e", "a", "0"}));
  auto seeded = get("/bytes/100?seed=1");
  ASSERT_TRUE(seeded);
  EXPECT_EQ(content, seeded->body) << "the same seed gives the same octets";
}

TEST_F(Lab, StreamSendsJsonLines) {
  auto r = get("/stream/3?k=v");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->framing, http1::body_framing::chunked);
  EXPECT_EQ(r->field("Content-Type"), "application/json");
  std::vector<json> lines;
  std::size_t at = 0;
  while (at < r->body.size()) {
    std::size_t nl = r->body.find('\n', at);
    ASSERT_NE(nl, std::string::npos);
    lines.push_back(json::parse(r->body.substr(at, nl - at), nullptr, false));
    at = nl + 1;
  }
  ASSERT_EQ(lines.size(), 3u);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i]["id"], i);
    EXPECT_EQ(lines[i]["args"]["k"], "v");
    EXPECT_EQ(lines[i]["url"], "http://test.local/stream/3?k=v");
    EXPECT_TRUE(lines[i].contains("headers"));
    EXPECT_TRUE(lines[i].contains("origin"));
  }
  auto too_many = get("/stream/11");
  ASSERT_TRUE(too_many);
  EXPECT_EQ(too_many->status, 400);
}

TEST_F(Lab, DripSpreadsTheOctetsOverTheDuration) {
  const auto start = test::steady::now();
  auto r = get("/drip?duration=1&numbytes=4");
  const auto took = test::steady::now() - start;
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->field("Content-Length"), "4");
  EXPECT_EQ(r->body.size(), 4u);
  EXPECT_GE(took, 500ms);
  EXPECT_LT(took, 2500ms);
  auto coded = get("/drip?duration=0&numbytes=2&code=404");
  ASSERT_TRUE(coded);
  EXPECT_EQ(coded->status, 404);
  EXPECT_EQ(coded->body.size(), 2u);
  for (std::string bad : {"/drip?duration=4", "/drip?numbytes=4097", "/drip?duration=2&delay=2",
                          "/drip?code=204", "/drip?duration=-1"}) {
    auto b = get(bad);
    ASSERT_TRUE(b) << bad;
    EXPECT_EQ(b->status, 400) << bad;
  }
}

TEST_F(Lab, DelayWaitsThenEchoes) {
  const auto start = test::steady::now();
  auto r = fetch("POST", "/delay/1", {}, "d");
  const auto took = test::steady::now() - start;
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 2500ms);
  json j = json_of(*r);
  EXPECT_EQ(j["data"], "d");
  EXPECT_EQ(j["url"], "http://test.local/delay/1");

  const auto before_refusal = test::steady::now();
  auto too_long = get("/delay/4");
  ASSERT_TRUE(too_long);
  EXPECT_EQ(too_long->status, 400);
  EXPECT_LT(test::steady::now() - before_refusal, 2000ms) << "a refused delay is not waited";
  EXPECT_THAT(json_of(*too_long)["detail"].get<std::string>(), HasSubstr("3 s"));
}

// Seconds are bounded whatever their spelling: a number too large for milliseconds is
// refused, not converted into a negative (or undefined) wait that slips past the bound.
TEST_F(Lab, HugeSecondsAreRefused) {
  for (std::string target : {"/delay/1e300", "/drip?duration=1e300", "/processing?seconds=1e300",
                             "/timeout?seconds=1e300", "/delay/1e16"}) {
    auto r = get(target);
    if (!r) {
      ADD_FAILURE() << target << ": no response";
      continue;
    }
    EXPECT_EQ(r->status, 400) << target;
  }
}

TEST_F(Lab, CodedContentDecodes) {
  struct coded {
    std::string path;
    core::content_coding coding;
    std::string token;
    std::string flag;
  };
  for (const coded& c : {coded{"/gzip", core::content_coding::gzip, "gzip", "gzipped"},
                         coded{"/deflate", core::content_coding::deflate, "deflate", "deflated"},
                         coded{"/brotli", core::content_coding::br, "br", "brotli"},
                         coded{"/zstd", core::content_coding::zstd, "zstd", "zstd"}}) {
    auto r = get(c.path, {"Accept-Encoding: gzip, deflate, br, zstd"});
    ASSERT_TRUE(r) << c.path;
    EXPECT_EQ(r->status, 200) << c.path;
    EXPECT_EQ(r->field("Content-Encoding"), c.token) << c.path;
    EXPECT_EQ(r->field("Content-Type"), "application/json") << c.path;
    std::optional<std::string> plain = core::decode(c.coding, r->body, 1 << 20);
    ASSERT_TRUE(plain) << c.path;
    json j = json::parse(*plain, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << c.path;
    EXPECT_EQ(j[c.flag], true) << c.path;
    EXPECT_EQ(j["method"], "GET") << c.path;
    EXPECT_EQ(j["origin"], "127.0.0.1") << c.path;
    EXPECT_EQ(j["headers"]["Accept-Encoding"], "gzip, deflate, br, zstd") << c.path;
  }
}

TEST_F(Lab, ImageIsNegotiatedByAccept) {
  auto webp = get("/image", {"Accept: image/webp"});
  ASSERT_TRUE(webp);
  EXPECT_EQ(webp->status, 200);
  EXPECT_EQ(webp->field("Content-Type"), "image/webp");
  EXPECT_EQ(webp->body.substr(0, 4), "RIFF");
  EXPECT_EQ(webp->body.substr(8, 4), "WEBP");
  EXPECT_TRUE(webp->has_token("Vary", "Accept"));

  auto svg = get("/image", {"Accept: image/svg+xml"});
  ASSERT_TRUE(svg);
  EXPECT_EQ(svg->field("Content-Type"), "image/svg+xml");
  EXPECT_THAT(svg->body, HasSubstr("<svg"));

  auto jpeg = get("/image", {"Accept: image/jpeg"});
  ASSERT_TRUE(jpeg);
  EXPECT_EQ(jpeg->field("Content-Type"), "image/jpeg");
  EXPECT_EQ(jpeg->body.substr(0, 3), "\xff\xd8\xff");

  auto none = get("/image", {"Accept: text/plain"});
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 406);

  auto png = get("/image/png");
  ASSERT_TRUE(png);
  EXPECT_EQ(png->status, 200);
  EXPECT_EQ(png->field("Content-Type"), "image/png");
  EXPECT_EQ(png->body.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(png->body.substr(12, 4), "IHDR");

  auto unknown = get("/image/gif");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
}

TEST_F(Lab, LinksPage) {
  auto r = get("/links/3/1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->field("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(r->body,
            "<html><head><title>Links</title></head><body><a href='/links/3/0'>0</a> 1 "
            "<a href='/links/3/2'>2</a> </body></html>");
  auto first = get("/links/3");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 302);
  EXPECT_EQ(first->field("Location"), "/links/3/0");
  auto beyond = get("/links/3/3");
  ASSERT_TRUE(beyond);
  EXPECT_EQ(beyond->status, 400);
}

TEST_F(Lab, Base64Decodes) {
  auto r = get("/base64/SGVyYWxk");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "Herald");
  auto unpadded = get("/base64/SGVyYQ");
  ASSERT_TRUE(unpadded);
  EXPECT_EQ(unpadded->body, "Hera");
  auto url_alphabet = get("/base64/-_8=");
  ASSERT_TRUE(url_alphabet);
  EXPECT_EQ(url_alphabet->body, "\xfb\xff");
  for (std::string bad : {"/base64/S!GV", "/base64/A", "/base64/SG=yYQ"}) {
    auto b = get(bad);
    ASSERT_TRUE(b) << bad;
    EXPECT_EQ(b->status, 400) << bad;
  }
}

TEST_F(Lab, FixedDocumentsHaveTheirTypes) {
  struct doc {
    std::string path;
    std::string type;
    std::string contains;
  };
  for (const doc& d : {doc{"/html", "text/html; charset=utf-8", "Moby-Dick"},
                       doc{"/json", "application/json", "\"slideshow\""},
                       doc{"/xml", "application/xml", "<slideshow"},
                       doc{"/robots.txt", "text/plain", "Disallow: /deny"},
                       doc{"/deny", "text/plain", "YOU SHOULDN'T BE HERE"},
                       doc{"/encoding/utf8", "text/html; charset=utf-8", "超文本传输协议"}}) {
    auto r = get(d.path);
    ASSERT_TRUE(r) << d.path;
    EXPECT_EQ(r->status, 200) << d.path;
    EXPECT_EQ(r->field("Content-Type"), d.type) << d.path;
    EXPECT_THAT(r->body, HasSubstr(d.contains)) << d.path;
  }
  auto j = get("/json");
  ASSERT_TRUE(j);
  EXPECT_EQ(json_of(*j)["slideshow"]["title"], "Sample Slide Show");
}

TEST_F(Lab, ResponseHeadersComeFromTheQuery) {
  auto r = get("/response-headers?X-A=1&X-A=2&Cache-Control=no-store");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->count("X-A"), 2u);
  EXPECT_THAT(r->head, HasSubstr("X-A: 1\r\n"));
  EXPECT_THAT(r->head, HasSubstr("X-A: 2\r\n"));
  EXPECT_EQ(r->field("Cache-Control"), "no-store");
  json j = json_of(*r);
  EXPECT_EQ(j["X-A"], json::array({"1", "2"}));
  EXPECT_EQ(j["Cache-Control"], "no-store");
  EXPECT_EQ(j["Content-Type"], "application/json");

  auto typed = get("/response-headers?Content-Type=text/plain");
  ASSERT_TRUE(typed);
  EXPECT_EQ(typed->field("Content-Type"), "text/plain");

  for (std::string framing : {"Content-Length=5", "Transfer-Encoding=chunked", "Connection=close",
                              "content-length=1"}) {
    auto b = get("/response-headers?" + framing);
    ASSERT_TRUE(b) << framing;
    EXPECT_EQ(b->status, 400) << framing;
  }
  // RFC 9110 §5.3: Server is no list; the server writes its own, so the query's must replace
  // it or be refused (as Date is), never make a second line.
  auto server = get("/response-headers?Server=other");
  ASSERT_TRUE(server);
  EXPECT_LE(server->count("Server"), 1u) << server->head;

  auto forged = get("/response-headers?X-B=a%0D%0AX-Forged:%201");
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 400);
  EXPECT_FALSE(forged->has("X-Forged"));
}

// ----- beyond httpbin: interim responses, pacing, misbehaviour ---------------------------------------

TEST_F(Lab, ExpectContinueThenContent) {
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("POST", "/expect", {"Content-Length: 5", "Expect: 100-continue"})));
  auto go_on = c.read_response("POST");
  ASSERT_TRUE(go_on);
  EXPECT_EQ(go_on->status, 100);
  ASSERT_TRUE(c.send("hello"));
  auto r = c.read_response("POST");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json_of(*r), json({{"expect", "100-continue"}, {"answer", "100"}, {"received", 5}}));
}

TEST_F(Lab, ExpectAnswered417WithoutReadingContent) {
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("POST", "/expect?answer=417",
                                 {"Content-Length: 5", "Expect: 100-continue"})));
  auto r = c.read_response("POST");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 417);
  EXPECT_FALSE(r->keep_alive) << "the unread content leaves the connection unusable";
  EXPECT_TRUE(c.wait_closed(2s));
}

TEST_F(Lab, ExpectSilenceSendsNo100ButReadsTheContent) {
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("PUT", "/expect?answer=silence",
                                 {"Content-Length: 5", "Expect: 100-continue"})));
  EXPECT_TRUE(c.stays_quiet(300ms)) << c.buffered();
  ASSERT_TRUE(c.send("hello"));
  auto r = c.read_response("PUT");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  json j = json_of(*r);
  EXPECT_EQ(j["received"], 5);
  EXPECT_EQ(j["answer"], "silence");
}

TEST_F(Lab, EarlyHintsCarryTheFinalResponsesLink) {
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/early-hints")));
  auto hints = c.read_response();
  ASSERT_TRUE(hints);
  EXPECT_EQ(hints->status, 103);
  ASSERT_TRUE(hints->has("Link"));
  EXPECT_EQ(*hints->field("Link"), "</image/svg>; rel=preload; as=image");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->field("Link"), hints->field("Link"));
  EXPECT_THAT(r->body, HasSubstr("/image/svg"));
}

TEST_F(Lab, EarlyHintsAreNotSentToHttp10) {
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/early-hints", {}, "HTTP/1.0")));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << "RFC 9110 §15.2: no 1xx to an HTTP/1.0 client";
}

TEST_F(Lab, ProcessingSends102sUntilTheResponse) {
  raw_client c = connect();
  const auto start = test::steady::now();
  ASSERT_TRUE(c.send(raw_request("GET", "/processing?seconds=2.5")));
  std::vector<http_response> interim;
  auto r = c.read_final(&interim, "GET", 4s);
  const auto took = test::steady::now() - start;
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_GE(took, 2400ms);
  EXPECT_GE(interim.size(), 2u);
  for (const http_response& i : interim) EXPECT_EQ(i.status, 102);
  EXPECT_EQ(json_of(*r)["processed"], 2.5);
}

TEST_F(Lab, TimeoutNeverFinishesTheHead) {
  raw_client c = connect();
  const auto start = test::steady::now();
  ASSERT_TRUE(c.send(raw_request("GET", "/timeout?seconds=1")));
  auto r = c.read_response("GET", 3s);
  const auto took = test::steady::now() - start;
  EXPECT_FALSE(r);
  EXPECT_EQ(c.last_end(), test::read_end::closed);
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 2500ms);
  EXPECT_THAT(c.buffered(), StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(c.buffered(), Not(HasSubstr("\r\n\r\n")));
  auto too_long = get("/timeout?seconds=4");
  ASSERT_TRUE(too_long);
  EXPECT_EQ(too_long->status, 400);
}

TEST_F(Lab, DropCutsTheContentShort) {
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/drop/10?length=100")));
  ASSERT_TRUE(c.wait_closed(2s));
  const std::string wire = c.buffered();
  const std::size_t end = wire.find("\r\n\r\n");
  ASSERT_NE(end, std::string::npos);
  const std::string head = wire.substr(0, end + 4);
  EXPECT_THAT(head, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(head, HasSubstr("Content-Length: 100\r\n"));
  EXPECT_THAT(head, HasSubstr("Connection: close\r\n"));
  EXPECT_EQ(wire.substr(end + 4), std::string(10, 'x'));
  for (std::string bad : {"/drop/10?length=10", "/drop/4096", "/drop/10?length=4097"}) {
    auto b = get(bad);
    ASSERT_TRUE(b) << bad;
    EXPECT_EQ(b->status, 400) << bad;
  }
}

TEST_F(Lab, TrailersCarryTheContentDigest) {
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/trailers", {"TE: trailers", "Connection: close"})));
  ASSERT_TRUE(c.wait_closed(2s));
  const std::string wire = c.buffered();
  const std::size_t end = wire.find("\r\n\r\n");
  ASSERT_NE(end, std::string::npos);
  const std::string head = wire.substr(0, end + 2);
  EXPECT_THAT(head, HasSubstr("Transfer-Encoding: chunked\r\n"));
  EXPECT_THAT(head, HasSubstr("Trailer: Content-Digest\r\n"));
  std::string body = wire.substr(end + 4), content;
  std::size_t at = 0;
  while (true) {
    std::size_t line_end = body.find("\r\n", at);
    ASSERT_NE(line_end, std::string::npos);
    std::size_t n = std::stoul(body.substr(at, line_end - at), nullptr, 16);
    at = line_end + 2;
    if (n == 0) break;
    content += body.substr(at, n);
    ASSERT_EQ(body.substr(at + n, 2), "\r\n");
    at += n + 2;
  }
  EXPECT_THAT(content, StartsWith("The content goes out in chunks;\n"));
  EXPECT_EQ(body.substr(at),
            "Content-Digest: sha-256=:" + base64_of(sha256_raw(content)) + ":\r\n\r\n");
}

TEST_F(Lab, RetryAfterTakesSecondsOrADate) {
  auto seconds = get("/retry-after/3");
  ASSERT_TRUE(seconds);
  EXPECT_EQ(seconds->status, 503);
  EXPECT_EQ(seconds->field("Retry-After"), "3");
  auto date = get("/retry-after/Sun,%2006%20Nov%201994%2008:49:37%20GMT");
  ASSERT_TRUE(date);
  EXPECT_EQ(date->status, 503);
  EXPECT_EQ(date->field("Retry-After"), "Sun, 06 Nov 1994 08:49:37 GMT");
  auto many = get("/retry-after/3?status=429");
  ASSERT_TRUE(many);
  EXPECT_EQ(many->status, 429);
  EXPECT_EQ(many->field("Retry-After"), "3");
  auto bad = get("/retry-after/soon");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
}

// ----- methods, the index, bounds on content ----------------------------------------------------------

TEST_F(Lab, WrongMethodIs405WithAllow) {
  auto r = fetch("POST", "/get");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->field("Allow"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(r->field("Content-Type"), "application/problem+json");
  auto with_content = fetch("POST", "/get", {}, "x");
  ASSERT_TRUE(with_content);
  EXPECT_EQ(with_content->status, 405);
  EXPECT_EQ(with_content->field("Allow"), "GET, HEAD, OPTIONS");
  auto get_post = get("/post");
  ASSERT_TRUE(get_post);
  EXPECT_EQ(get_post->status, 405);
  EXPECT_EQ(get_post->field("Allow"), "OPTIONS, POST");
  auto engine = fetch("POST", "/cache");
  ASSERT_TRUE(engine);
  EXPECT_EQ(engine->status, 405);
  EXPECT_EQ(engine->field("Allow"), "GET, HEAD, OPTIONS");
}

TEST_F(Lab, OptionsIs204WithAllow) {
  auto r = fetch("OPTIONS", "/get");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->field("Allow"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(r->body, "");
  auto anything = fetch("OPTIONS", "/anything");
  ASSERT_TRUE(anything);
  EXPECT_EQ(anything->status, 204);
  EXPECT_EQ(anything->field("Allow"), "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT");
  auto server = fetch("OPTIONS", "*");
  ASSERT_TRUE(server);
  EXPECT_EQ(server->status, 204);
  EXPECT_EQ(server->field("Allow"), "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT");
}

TEST_F(Lab, UnknownEndpointIs404ProblemJson) {
  auto r = get("/no-such-endpoint");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->field("Content-Type"), "application/problem+json");
  json j = json_of(*r);
  EXPECT_EQ(j["status"], 404);
  EXPECT_EQ(j["title"], "Not Found");
  EXPECT_TRUE(j["detail"].is_string());
  auto malformed = get("/get%zz");
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 400);
}

TEST_F(Lab, IndexListsTheEndpoints) {
  auto r = get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->field("Content-Type"), "text/html; charset=utf-8");
  for (std::string endpoint :
       {"/get", "/post", "/put", "/patch", "/delete", "/anything", "/headers", "/ip",
        "/user-agent", "/uuid", "/status/418", "/response-headers", "/redirect/3",
        "/relative-redirect/3", "/absolute-redirect/3", "/redirect-to", "/loop/3", "/chain/308/3",
        "/basic-auth/", "/hidden-basic-auth/", "/digest-auth/", "/bearer", "/cookies", "/cache",
        "/etag/xyzzy", "/range/1024", "/bytes/", "/stream-bytes/", "/stream/5", "/drip", "/delay/2",
        "/gzip", "/deflate", "/brotli", "/zstd", "/encoding/utf8", "/html", "/json", "/xml",
        "/robots.txt", "/deny", "/links/10/0", "/base64/", "/image", "/expect", "/early-hints",
        "/processing", "/timeout", "/drop/100", "/changing/1024", "/trailers", "/conditional",
        "/retry-after/3"})
    EXPECT_THAT(r->body, HasSubstr(endpoint)) << endpoint;
  EXPECT_THAT(r->body, HasSubstr("3 s")) << "the index states the bounds";
  auto post = fetch("POST", "/", {}, "x");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
}

TEST_F(Lab, ContentBeyondTheBoundIs413) {
  auto r = fetch("POST", "/post", {}, std::string(64 * 1024 + 1, 'c'));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  auto fits = fetch("POST", "/post", {}, std::string(64 * 1024, 'c'));
  ASSERT_TRUE(fits);
  EXPECT_EQ(fits->status, 200);
}

TEST_F(Lab, KeepAliveAcrossEndpoints) {
  raw_client c = connect();
  for (std::string target : {"/get", "/stream/2", "/bytes/8", "/status/204", "/gzip", "/ip"}) {
    ASSERT_TRUE(c.send(raw_request("GET", target))) << target;
    auto r = c.read_response();
    ASSERT_TRUE(r) << target << ": " << test::to_string(c.last_end());
    EXPECT_LT(r->status, 300) << target;
  }
}

// A lab with bounds below its endpoints' defaults: a request that names no parameter gets the
// default brought within the bound, not a 400 about a parameter it never sent.
class LabSmallBounds : public Lab {
 protected:
  void SetUp() override {
    lab_options o = small_lab();
    o.max_delay = 1s;
    o.max_bytes = 1000;
    lab_.emplace(o);
    server_.emplace(test::test_options(), *lab_);
  }
};

TEST_F(LabSmallBounds, StreamBytesDefaultChunkSizeFits) {
  auto r = get("/stream-bytes/100");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body.size(), 100u);
}

TEST_F(LabSmallBounds, DropDefaultLengthFits) {
  raw_client c = connect();
  ASSERT_TRUE(c.send(raw_request("GET", "/drop/600", {"Connection: close"})));
  ASSERT_TRUE(c.wait_closed(2s));
  EXPECT_THAT(c.buffered(), StartsWith("HTTP/1.1 200 OK\r\n")) << c.buffered().substr(0, 300);
}

TEST_F(LabSmallBounds, ProcessingDefaultSecondsFit) {
  auto r = get("/processing");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(LabSmallBounds, DripDefaultDurationFits) {
  auto r = get("/drip");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(LabSmallBounds, TimeoutDefaultIsTheBound) {
  raw_client c = connect();
  const auto start = test::steady::now();
  ASSERT_TRUE(c.send(raw_request("GET", "/timeout")));
  EXPECT_TRUE(c.wait_closed(2500ms));
  EXPECT_GE(test::steady::now() - start, 900ms);
  EXPECT_THAT(c.buffered(), StartsWith("HTTP/1.1 200 OK\r\n"));
}

// ----- httpbin compatibility ----------------------------------------------------------------------

// One request and the JSON httpbin documents for it: the exact set of top-level keys, and the
// type (and where it is fixed, the value) of each field named by a JSON pointer.
struct expected_field {
  std::string pointer;
  json::value_t type;
  std::optional<json> value = std::nullopt;
};
struct compat_case {
  std::string name;
  std::string method;
  std::string target;
  std::vector<std::string> lines;
  std::string body;
  std::set<std::string> keys;
  std::vector<expected_field> fields;
  std::optional<core::content_coding> coding = std::nullopt;
};

using jt = json::value_t;

const std::vector<compat_case>& compat_cases() {
  static const std::vector<compat_case> cases{
      {"Get",
       "GET",
       "/get?a=1",
       {},
       "",
       {"args", "headers", "origin", "url"},
       {{"/args", jt::object},
        {"/args/a", jt::string, "1"},
        {"/headers", jt::object},
        {"/headers/Host", jt::string, "test.local"},
        {"/origin", jt::string, "127.0.0.1"},
        {"/url", jt::string, "http://test.local/get?a=1"}}},
      {"PostJson",
       "POST",
       "/post",
       {"Content-Type: application/json"},
       R"({"a": [1, 2], "b": null})",
       {"args", "data", "files", "form", "headers", "json", "origin", "url"},
       {{"/args", jt::object},
        {"/data", jt::string, R"({"a": [1, 2], "b": null})"},
        {"/files", jt::object},
        {"/form", jt::object},
        {"/json", jt::object},
        {"/json/a", jt::array},
        {"/json/a/1", jt::number_unsigned, 2},
        {"/json/b", jt::null},
        {"/headers/Content-Type", jt::string, "application/json"}}},
      {"PostForm",
       "POST",
       "/post",
       {"Content-Type: application/x-www-form-urlencoded"},
       "a=1&b=2",
       {"args", "data", "files", "form", "headers", "json", "origin", "url"},
       {{"/data", jt::string, ""},
        {"/form/a", jt::string, "1"},
        {"/form/b", jt::string, "2"},
        {"/json", jt::null},
        {"/files", jt::object}}},
      {"PostMultipart",
       "POST",
       "/post",
       {"Content-Type: multipart/form-data; boundary=XyZ"},
       "--XyZ\r\nContent-Disposition: form-data; name=\"field\"\r\n\r\nvalue\r\n"
       "--XyZ\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"a.txt\"\r\n"
       "Content-Type: text/plain\r\n\r\nfile content\r\n--XyZ--\r\n",
       {"args", "data", "files", "form", "headers", "json", "origin", "url"},
       {{"/data", jt::string, ""},
        {"/form", jt::object, json({{"field", "value"}})},
        {"/files", jt::object, json({{"upload", "file content"}})},
        {"/json", jt::null}}},
      {"Anything",
       "DELETE",
       "/anything/x",
       {},
       "",
       {"args", "data", "files", "form", "headers", "json", "method", "origin", "url"},
       {{"/method", jt::string, "DELETE"},
        {"/url", jt::string, "http://test.local/anything/x"},
        {"/json", jt::null}}},
      {"Headers",
       "GET",
       "/headers",
       {"user-agent: compat/1", "accept: */*"},
       "",
       {"headers"},
       {{"/headers/User-Agent", jt::string, "compat/1"},
        {"/headers/Accept", jt::string, "*/*"},
        {"/headers/Host", jt::string, "test.local"}}},
      {"Ip", "GET", "/ip", {}, "", {"origin"}, {{"/origin", jt::string, "127.0.0.1"}}},
      {"UserAgent",
       "GET",
       "/user-agent",
       {"User-Agent: compat/1"},
       "",
       {"user-agent"},
       {{"/user-agent", jt::string, "compat/1"}}},
      {"Uuid", "GET", "/uuid", {}, "", {"uuid"}, {{"/uuid", jt::string}}},
      {"Cookies",
       "GET",
       "/cookies",
       {"Cookie: k=v"},
       "",
       {"cookies"},
       {{"/cookies", jt::object}, {"/cookies/k", jt::string, "v"}}},
      {"NoCookies", "GET", "/cookies", {}, "", {"cookies"}, {{"/cookies", jt::object, json::object()}}},
      {"BasicAuth",
       "GET",
       "/basic-auth/user/passwd",
       {"Authorization: Basic dXNlcjpwYXNzd2Q="},
       "",
       {"authenticated", "user"},
       {{"/authenticated", jt::boolean, true}, {"/user", jt::string, "user"}}},
      {"Bearer",
       "GET",
       "/bearer",
       {"Authorization: Bearer t0ken"},
       "",
       {"authenticated", "token"},
       {{"/authenticated", jt::boolean, true}, {"/token", jt::string, "t0ken"}}},
      {"Gzip",
       "GET",
       "/gzip",
       {},
       "",
       {"gzipped", "headers", "method", "origin"},
       {{"/gzipped", jt::boolean, true},
        {"/headers", jt::object},
        {"/method", jt::string, "GET"},
        {"/origin", jt::string, "127.0.0.1"}},
       core::content_coding::gzip},
  };
  return cases;
}

class LabCompat : public Lab, public testing::WithParamInterface<compat_case> {};

TEST_P(LabCompat, JsonHasHttpbinsShape) {
  const compat_case& c = GetParam();
  auto r = fetch(c.method, c.target, c.lines, c.body);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  std::string text = r->body;
  if (c.coding) {
    auto plain = core::decode(*c.coding, r->body, 1 << 20);
    ASSERT_TRUE(plain);
    text = *plain;
  }
  json j = json::parse(text, nullptr, false);
  ASSERT_TRUE(j.is_object()) << text;
  std::set<std::string> keys;
  for (const auto& item : j.items()) keys.insert(item.key());
  EXPECT_EQ(keys, c.keys);
  for (const expected_field& f : c.fields) {
    const json::json_pointer at(f.pointer);
    ASSERT_TRUE(j.contains(at)) << f.pointer << " in " << text;
    EXPECT_EQ(j[at].type(), f.type) << f.pointer << " is " << j[at].type_name();
    if (f.value) {
      EXPECT_EQ(j[at], *f.value) << f.pointer;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(LabHttpbin, LabCompat, testing::ValuesIn(compat_cases()), test::case_name);

// ----- under a prefix, behind a router ----------------------------------------------------------------

class fallback_handler : public server::handler {
 public:
  server::content_decision prepare(const server::request&) override {
    return server::content_decision::accept(1024);
  }
  server::response handle(server::request& r) override {
    server::response out;
    out.set_text("fallback " + std::string(r.head.path));
    return out;
  }
};

class LabPrefix : public testing::Test {
 protected:
  void SetUp() override {
    lab_.emplace(small_lab("/lab"));
    router_.emplace(fallback_);
    router_->mount("/lab", *lab_);
    server_.emplace(test::test_options(), *router_);
  }
  std::optional<http_response> get(std::string_view target) {
    raw_client c = server_->connect();
    if (!c.send(raw_request("GET", target))) return std::nullopt;
    return c.read_final();
  }

  fallback_handler fallback_;
  std::optional<lab> lab_;
  std::optional<server::router> router_;
  std::optional<test::running_server> server_;
};

TEST_F(LabPrefix, EndpointsLiveBeneathThePrefix) {
  auto r = get("/lab/get?x=1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json_of(*r)["url"], "http://test.local/lab/get?x=1");
  auto redirect = get("/lab/redirect/2");
  ASSERT_TRUE(redirect);
  EXPECT_EQ(redirect->status, 302);
  EXPECT_EQ(redirect->field("Location"), "/lab/relative-redirect/1");
  auto absolute = get("/lab/absolute-redirect/1");
  ASSERT_TRUE(absolute);
  EXPECT_EQ(absolute->field("Location"), "http://test.local/lab/get");
  auto status = get("/lab/status/302");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->field("Location"), "/lab/anything");
  auto cookies = get("/lab/cookies/set?a=1");
  ASSERT_TRUE(cookies);
  EXPECT_EQ(cookies->field("Location"), "/lab/cookies");
  EXPECT_EQ(cookies->field("Set-Cookie"), "a=1; Path=/lab");
  auto hints = get("/lab/early-hints");
  ASSERT_TRUE(hints);
  EXPECT_EQ(hints->field("Link"), "</lab/image/svg>; rel=preload; as=image");
}

TEST_F(LabPrefix, IndexLinksCarryThePrefix) {
  for (std::string target : {"/lab", "/lab/"}) {
    auto r = get(target);
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 200) << target;
    EXPECT_THAT(r->body, HasSubstr("href=\"/lab/get")) << target;
    EXPECT_THAT(r->body, Not(HasSubstr("href=\"/get"))) << target;
  }
  auto registry = get("/lab/status");
  ASSERT_TRUE(registry);
  EXPECT_THAT(registry->body, HasSubstr("href=\"/lab/status/418\""));
}

TEST_F(LabPrefix, OtherPathsGoToTheFallback) {
  for (std::string target : {"/other", "/labs", "/labs/get", "/", "/get"}) {
    auto r = get(target);
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 200) << target;
    EXPECT_EQ(r->body, "fallback " + target) << target;
  }
}

}  // namespace
}  // namespace herald::handlers
