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
    std::string id = json_of(*u)["uuid"];
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
    if (code == 103) EXPECT_THAT(interim[0].field("Link").value_or(""), HasSubstr("rel=preload"));
    return;
  }
  EXPECT_TRUE(interim.empty());
  EXPECT_EQ(r->status, code);
  EXPECT_TRUE(r->has("Date"));

  for (int bit = 0; bit < core::response_field_count; ++bit) {
    const auto f = static_cast<core::response_field>(1u << bit);
    const std::string name = field_name(f);
    if (info->required_fields.contains(f)) {
      if (conditional_on_200(code, f))
        EXPECT_EQ(r->has(name), ok_->has(name))
            << name << ": a " << code << " carries it when a 200 would";
      else
        EXPECT_TRUE(r->has(name)) << code << " requires " << name << ":\n" << r->head;
    }
    if (info->recommended_fields.contains(f) && recommendation_applies(code, f))
      EXPECT_TRUE(r->has(name)) << code << " should carry " << name << ":\n" << r->head;
  }

  if (core::content_forbidden(code)) {
    EXPECT_EQ(r->body, "");
    EXPECT_FALSE(r->has("Transfer-Encoding"));
    if (code != 205) EXPECT_FALSE(r->has("Content-Length"));
  }
  if (code >= 300 && code < 400 && code != 304 && code != 306) {
    ASSERT_TRUE(r->has("Location"));
    EXPECT_EQ(r->field("Location"), code == 305 ? "http://test.local/" : "/anything");
  }
  if (code >= 400) {
    EXPECT_EQ(r->field("Content-Type"), "application/problem+json");
    json j = json_of(*r);
    if (code != 418) {
      EXPECT_EQ(j["status"], code);
      EXPECT_EQ(j["title"], std::string(core::reason_phrase(code)));
    }
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

INSTANTIATE_TEST_SUITE_P(EveryRegisteredCode, LabStatus, testing::ValuesIn(registry_codes()),
                         [](const testing::TestParamInfo<int>& i) {
                           return "Code" + std::to_string(i.param);
                         });

TEST_F(Lab, StatusRetryAfterComesFromTheQuery) {
  auto r = get("/status/429?retry_after=30");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(r->field("Retry-After"), "30");
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

