#include <herald/handlers/lab.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <random>

#include <herald/core/content_coding.hpp>
#include <herald/core/fields.hpp>
#include <herald/core/form.hpp>
#include <herald/core/html.hpp>
#include <herald/core/http_date.hpp>
#include <herald/core/media_type.hpp>
#include <herald/core/multipart.hpp>
#include <herald/core/status.hpp>
#include <herald/core/syntax.hpp>
#include <herald/core/uri.hpp>
#include <herald/http1/serializer.hpp>
#include <herald/server/engine.hpp>
#include <herald/server/resource.hpp>

#include "handlers/lab_parts.hpp"

namespace herald::handlers {

using namespace lab_detail;
using server::response;

namespace lab_detail {

std::optional<std::string_view> call::param(std::string_view name) const {
  for (const auto& [n, v] : query)
    if (n == name) return std::string_view(v);
  return std::nullopt;
}

std::string call::host() const {
  return req.head.authority.empty() ? std::string("localhost") : std::string(req.head.authority);
}

std::string call::link(std::string_view path) const { return opts.prefix + std::string(path); }

std::string call::absolute(std::string_view path) const {
  return fmt::format("{}://{}{}", req.secure ? "https" : "http", host(), link(path));
}

std::string call::url() const {
  if (req.head.form == core::target_form::absolute) return std::string(req.head.target);
  return fmt::format("{}://{}{}", req.secure ? "https" : "http", host(), req.head.target);
}

std::string call::origin() const { return std::string(req.peer); }

namespace {

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra = c < 0x80                 ? 0
                        : c >= 0xC2 && c < 0xE0 ? 1
                        : (c >> 4) == 0xE       ? 2
                        : c >= 0xF0 && c < 0xF5 ? 3
                                                : 4;
    if (extra == 4 || s.size() - i <= extra) return false;
    for (std::size_t k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += extra + 1;
  }
  return true;
}

// httpbin (werkzeug) shows field names capitalised word by word: "User-Agent".
std::string title_case(std::string_view name) {
  std::string out(name);
  bool start = true;
  for (char& ch : out) {
    ch = start && ch >= 'a' && ch <= 'z' ? static_cast<char>(ch - 32)
         : !start && ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch + 32)
                                            : ch;
    start = ch == '-';
  }
  return out;
}

// The request's media type when it is `wanted`.
std::optional<core::media_type> content_type_is(const call& c, std::string_view wanted) {
  std::optional<std::string_view> field = c.req.head.find("Content-Type");
  if (!field) return std::nullopt;
  std::optional<core::media_type> type = core::parse_media_type(*field);
  if (!type) return std::nullopt;
  std::size_t slash = wanted.find('/');
  if (!core::syntax::iequals(type->type, wanted.substr(0, slash)) ||
      !core::syntax::iequals(type->subtype, wanted.substr(slash + 1)))
    return std::nullopt;
  return type;
}

// Text as JSON shows it; other octets as a data URL, as httpbin does.
std::string shown(std::string_view octets) {
  if (valid_utf8(octets)) return std::string(octets);
  return "data:application/octet-stream;base64," + core::base64_encode(octets);
}

void add_pair(json& object, const std::string& name, std::string value) {
  if (!object.contains(name)) object[name] = std::move(value);
  else if (object[name].is_array()) object[name].push_back(std::move(value));
  else object[name] = json::array({object[name], std::move(value)});
}

// One name: a string; repeated: a list, as httpbin's args and form.
json pairs_to_json(const std::vector<std::pair<std::string, std::string>>& pairs) {
  json out = json::object();
  for (const auto& [name, value] : pairs) add_pair(out, name, value);
  return out;
}

}  // namespace

std::string text_of(const json& value, int indent) {
  // Octets that are not UTF-8 (a query's %FF, a header's obs-text) show as U+FFFD, as
  // httpbin's own decoding does, rather than failing the response.
  return value.dump(indent, ' ', false, json::error_handler_t::replace) + "\n";
}

json echo(const call& c, bool with_content, bool with_method) {
  json headers = json::object();
  for (const http1::field_line& f : c.req.head.fields) {
    std::string name = title_case(f.name);
    if (headers.contains(name)) headers[name] = headers[name].get<std::string>() + "," + std::string(f.value);
    else headers[name] = std::string(f.value);
  }
  json out{{"args", pairs_to_json(c.query)},
           {"headers", headers},
           {"origin", c.origin()},
           {"url", c.url()}};
  if (with_content) {
    const std::string& body = c.req.body;
    json form = json::object();
    json files = json::object();
    std::string data;
    std::optional<std::vector<core::form_part>> parts;
    if (auto multipart = content_type_is(c, "multipart/form-data")) {
      if (const core::parameter* boundary = multipart->parameters.find("boundary"))
        parts = core::parse_multipart_form(body, boundary->unescaped_value());
    }
    if (content_type_is(c, "application/x-www-form-urlencoded")) {
      form = pairs_to_json(core::parse_form_urlencoded(body));
    } else if (parts) {
      // RFC 7578 §4.2: a part with a filename is a file.
      for (const core::form_part& part : *parts)
        add_pair(part.filename ? files : form, part.name, shown(part.content));
    } else {
      data = shown(body);
    }
    out["data"] = data;
    out["files"] = files;
    out["form"] = form;
    out["json"] = json::parse(body, nullptr, false);
    if (out["json"].is_discarded()) out["json"] = nullptr;
  }
  if (with_method) out["method"] = std::string(c.req.head.method);
  return out;
}

response json_response(int status, const json& body) {
  response r(status);
  r.set_text(text_of(body), "application/json");
  return r;
}

response problem(int status, std::string_view detail) {
  json body{{"type", "about:blank"},
            {"title", std::string(core::reason_phrase(status))},
            {"status", status},
            {"detail", std::string(detail)}};
  response r(status);
  r.set_text(text_of(body), "application/problem+json");
  return r;
}

}  // namespace lab_detail

namespace {

constexpr server::method_set reading{core::method::get, core::method::head, core::method::options};
constexpr server::method_set every_method{
    core::method::get,    core::method::head,   core::method::post, core::method::put,
    core::method::patch,  core::method::delete_, core::method::options};

std::optional<std::uint64_t> whole_number(std::string_view text) {
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return n;
}

// Seconds as httpbin takes them: "2", "0.5".
std::optional<double> seconds_of(std::string_view text) {
  double s = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), s);
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(s) || s < 0)
    return std::nullopt;
  return s;
}

bool valid_retry_after(std::string_view value) {
  return whole_number(value).has_value() || core::parse_http_date(value).has_value();
}

std::mt19937_64& random_engine() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine;
}

struct bounded_error {
  response answer;
};

// A number from a path segment or parameter, within [low, high]; 400 naming the bound if not.
std::uint64_t bounded(std::string_view text, std::uint64_t low, std::uint64_t high,
                      std::string_view what) {
  std::optional<std::uint64_t> n = whole_number(text);
  if (!n) throw bounded_error{problem(400, fmt::format("{} must be a whole number, not \"{}\".", what, text))};
  if (*n < low || *n > high)
    throw bounded_error{problem(400, fmt::format("{} must lie between {} and {} on this server.", what, low, high))};
  return *n;
}

std::chrono::milliseconds bounded_time(std::string_view text, std::chrono::milliseconds high,
                                       std::string_view what) {
  std::optional<double> s = seconds_of(text);
  if (!s) throw bounded_error{problem(400, fmt::format("{} must be a number of seconds, not \"{}\".", what, text))};
  // Compared before converting: a huge number of seconds has no millisecond count.
  if (*s * 1000 > static_cast<double>(high.count()))
    throw bounded_error{problem(400, fmt::format("{} may be at most {} s on this server.", what, high.count() / 1000.0))};
  return std::chrono::milliseconds(static_cast<long long>(*s * 1000));
}

std::string random_octets(std::uint64_t n, std::optional<std::string_view> seed) {
  std::mt19937_64 seeded(seed ? std::hash<std::string_view>{}(*seed) : random_engine()());
  std::string out(n, '\0');
  for (char& ch : out) ch = static_cast<char>(seeded() & 0xFF);
  return out;
}

std::string seconds_text(std::chrono::milliseconds t) { return fmt::format("{}", t.count() / 1000.0); }

std::shared_ptr<server::delivery> plan() { return std::make_shared<server::delivery>(); }

// A resource the decision engine answers for: conditional requests, ranges and negotiation
// on the lab's generated documents are decided exactly as for files.
class document final : public server::resource {
 public:
  std::string body;
  std::string content_type = "application/json";
  std::optional<std::string> etag;  // opaque part
  bool weak = false;
  std::optional<std::chrono::sys_seconds> modified;
  std::string cache_control;
  bool ranges = false;
  bool present = true;
  server::method_set methods = reading;

  server::method_set allowed_methods(const server::request&) override { return methods; }
  bool exists(const server::request&) override { return present; }
  bool can_create(const server::request&) override { return methods.contains(core::method::put); }
  server::validators validators_of(const server::request&, std::size_t) override {
    server::validators v;
    if (etag) v.etag = core::entity_tag{weak, *etag};
    v.last_modified = modified;
    return v;
  }
  server::representation describe(const server::request&, std::size_t) override {
    return {content_type, "", "", body.size(), ranges};
  }
  void produce(const server::request&, std::size_t, core::byte_range range,
               server::content& out) override {
    out.pieces.emplace_back(body.substr(range.first, range.size()));
  }
  server::cache_policy caching(const server::request&, std::size_t) override {
    return {cache_control};
  }
};

// /image: one resource, four representations, chosen by Accept (406 when none fits).
class image_resource final : public server::resource {
 public:
  image_resource() {
    for (const image& i : images()) {
      core::variant v{};
      v.type = *core::parse_media_type(i.media_type);
      variants_.push_back(v);
    }
  }
  std::span<const core::variant> variants(const server::request&) override { return variants_; }
  server::representation describe(const server::request&, std::size_t v) override {
    return {images()[v].media_type, "", "", images()[v].octets.size(), true};
  }
  void produce(const server::request&, std::size_t v, core::byte_range range,
               server::content& out) override {
    out.pieces.emplace_back(images()[v].octets.substr(range.first, range.size()));
  }

 private:
  std::vector<core::variant> variants_;
};

response decide(server::resource& target, call& c) {
  server::engine_options o;
  o.now = http1::coarse_seconds_now();
  return server::decide(target, c.req, o);
}

// 101's peer: bytes come back as they went.
class echo_protocol final : public server::upgraded_protocol {
 public:
  bool on_data(std::string_view in, std::string& out) override {
    out.append(in);
    return true;
  }
};

bool asks_for_echo_upgrade(const call& c) {
  std::optional<std::string_view> upgrade = c.req.head.find("Upgrade");
  return c.req.head.connection_upgrade && upgrade && core::list_contains_token(*upgrade, "echo");
}

}  // namespace

struct lab_detail::lab_state {
  lab_options opts;
  std::chrono::sys_seconds started = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  std::atomic<std::uint64_t> changes{0};
  std::string index_page;
  std::string registry_page;
};

namespace {

using endpoint = response (*)(lab_state&, call&);

response get_echo(lab_state&, call& c) { return json_response(200, echo(c, false, false)); }
response content_echo(lab_state&, call& c) { return json_response(200, echo(c, true, false)); }
response anything(lab_state&, call& c) { return json_response(200, echo(c, true, true)); }

response headers(lab_state&, call& c) {
  return json_response(200, json{{"headers", echo(c, false, false)["headers"]}});
}
response ip(lab_state&, call& c) { return json_response(200, json{{"origin", c.origin()}}); }
response user_agent(lab_state&, call& c) {
  std::optional<std::string_view> ua = c.req.head.find("User-Agent");
  return json_response(200, json{{"user-agent", ua ? json(std::string(*ua)) : json(nullptr)}});
}

response uuid(lab_state&, call&) {
  // RFC 9562 §5.4: version 4, variant 10.
  std::uint64_t hi = random_engine()(), lo = random_engine()();
  hi = (hi & ~0xF000ull) | 0x4000ull;
  lo = (lo & ~(0xC000ull << 48)) | (0x8000ull << 48);
  return json_response(
      200, json{{"uuid", fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF,
                                     hi & 0xFFFF, lo >> 48, lo & 0xFFFFFFFFFFFFull)}});
}

// The code /status/{codes} answers with: one code, a uniform choice among "a,b,c", or a
// weighted choice "200:0.9,500:0.1".
int choose_code(std::string_view spec) {
  std::vector<std::pair<int, double>> choices;
  while (!spec.empty()) {
    std::size_t comma = spec.find(',');
    std::string_view item = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view{} : spec.substr(comma + 1);
    std::size_t colon = item.find(':');
    double weight = 1;
    if (colon != std::string_view::npos) {
      std::string_view w = item.substr(colon + 1);
      auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), weight);
      if (ec != std::errc{} || end != w.data() + w.size() || !std::isfinite(weight) || weight < 0)
        throw bounded_error{problem(400, fmt::format("\"{}\" is not a weight.", w))};
    }
    int code = static_cast<int>(bounded(item.substr(0, colon), 100, 599, "A status code"));
    choices.emplace_back(code, weight);
  }
  if (choices.empty()) throw bounded_error{problem(400, "Name a status code: /status/418.")};
  double total = 0;
  for (const auto& choice : choices) total += choice.second;
  if (total <= 0) throw bounded_error{problem(400, "The weights add up to nothing.")};
  double pick = std::uniform_real_distribution<double>(0, total)(random_engine());
  for (const auto& [code, weight] : choices) {
    if (pick < weight) return code;
    pick -= weight;
  }
  return choices.back().first;
}

// /status/{code}: the code with the fields its specification requires and a body that fits
// it (none where it may have none).
response status_code(lab_state& s, call& c) {
  if (c.segments.size() == 1) {
    response r;
    r.set_text(s.registry_page, "text/html; charset=utf-8");
    return r;
  }
  const int code = choose_code(c.segments[1]);
  const std::string_view method = c.req.head.method;

  if (code == 101) {
    // RFC 9110 §15.2.2: switch only to a protocol the client asked for in Upgrade.
    if (asks_for_echo_upgrade(c)) {
      response r(101);
      r.fields.set("Connection", "Upgrade");
      r.fields.set("Upgrade", "echo");
      r.upgrade = std::make_shared<echo_protocol>();
      return r;
    }
    response r = problem(426, "101 switches to a protocol the request asks for: send "
                              "Connection: Upgrade and Upgrade: echo.");
    r.fields.set("Connection", "Upgrade");
    r.fields.set("Upgrade", "echo");
    return r;
  }
  if (code < 200) {
    // An interim response, then the final one (RFC 9110 §15.2): a 1xx is never final.
    response r = json_response(200, json{{"interim", code}});
    server::interim_response interim{code, {}};
    if (code == 103)
      interim.fields.add("Link", fmt::format("<{}>; rel=preload; as=image", c.link("/image/svg")));
    r.interim.push_back(std::move(interim));
    return r;
  }
  if (code == 444) {
    // nginx's 444 is no response at all: the connection closes.
    response r(444);
    auto p = plan();
    p->raw = std::string();
    r.paced = std::move(p);
    return r;
  }

  response r = code >= 400 ? problem(code, fmt::format("The client asked for {} with {}.", code,
                                                       c.req.head.target))
                           : response(code);
  const bool redirect = code >= 300 && code < 400 && code != 304 && code != 306;
  if (redirect) {
    // 305 names the proxy to go through (RFC 9110 §15.4.6, deprecated): the lab itself.
    const std::string location = code == 305 ? c.absolute("/") : c.link("/anything");
    r.fields.set("Location", location);
    r.set_text(fmt::format("<!DOCTYPE html>\n<title>{0} {1}</title>\n<p>See <a href=\"{2}\">{2}</a>.</p>\n",
                           code, core::reason_phrase(code), core::html_escape(location)),
               "text/html; charset=utf-8");
  }
  switch (code) {
    case 201:
      r.fields.set("Location", c.link("/anything/created"));
      break;
    case 226:
      // RFC 3229 §10.4.1: the ETag of the instance the manipulations produced.
      r.fields.set("ETag", "\"lab-226\"");
      break;
    case 206:
      // RFC 9110 §15.3.7: a single part carries Content-Range.
      r.fields.set("Content-Range", "bytes 0-15/26");
      r.set_text("abcdefghijklmnop", "text/plain");
      break;
    case 401:
      r.fields.set("WWW-Authenticate", R"(Basic realm="herald lab", charset="UTF-8")");
      break;
    case 405: {
      server::method_set others;
      for (core::method m : {core::method::get, core::method::head, core::method::post,
                             core::method::put, core::method::patch, core::method::delete_,
                             core::method::options})
        if (core::to_string(m) != method) others.insert(m);
      r.fields.set("Allow", others.allow_value());
      break;
    }
    case 407:
      r.fields.set("Proxy-Authenticate", R"(Basic realm="herald lab proxy", charset="UTF-8")");
      break;
    case 415:
      r.fields.set("Accept", "application/json");
      break;
    case 416:
      r.fields.set("Content-Range", "bytes */0");
      break;
    case 418:
      r.set_text(std::string(teapot_text()), "text/plain; charset=utf-8");
      r.fields.set("X-More-Info", "https://www.rfc-editor.org/rfc/rfc2324");
      break;
    case 426:
      r.fields.set("Connection", "Upgrade");
      r.fields.set("Upgrade", "echo");
      break;
    case 429:
    case 503: {
      std::string_view after = c.param("retry_after").value_or("1");
      if (!valid_retry_after(after))
        return problem(400, "retry_after is a number of seconds or an HTTP-date (RFC 9110 §10.2.3).");
      r.fields.set("Retry-After", after);
      break;
    }
    case 451:
      r.fields.set("Link", fmt::format("<{}>; rel=\"blocked-by\"", c.absolute("/status")));
      break;
    default:
      break;
  }
  return r;
}

response redirect_to(std::string location, int code = 302) {
  response r(code);
  if (!r.fields.set("Location", location))
    return problem(400, "That URL cannot be sent in a Location field.");
  return r;
}

response redirect_n(lab_state& s, call& c, std::string_view kind) {
  if (c.segments.size() != 2) return problem(404, fmt::format("Try /{}/3.", kind));
  std::uint64_t n = bounded(c.segments[1], 1, s.opts.max_hops, "The number of redirects");
  const bool absolute = kind == "absolute-redirect" ||
                        (kind == "redirect" && c.param("absolute") == "true");
  const std::string next = n == 1 ? std::string("/get")
                           : absolute ? fmt::format("/absolute-redirect/{}", n - 1)
                                      : fmt::format("/relative-redirect/{}", n - 1);
  return redirect_to(absolute ? c.absolute(next) : c.link(next));
}
response redirect(lab_state& s, call& c) { return redirect_n(s, c, "redirect"); }
response relative_redirect(lab_state& s, call& c) { return redirect_n(s, c, "relative-redirect"); }
response absolute_redirect(lab_state& s, call& c) { return redirect_n(s, c, "absolute-redirect"); }

response redirect_to_url(lab_state&, call& c) {
  std::optional<std::string_view> url = c.param("url");
  if (!url || url->empty()) return problem(400, "Name the target: /redirect-to?url=...");
  int code = static_cast<int>(bounded(c.param("status_code").value_or("302"), 300, 399, "status_code"));
  return redirect_to(std::string(*url), code);
}

response loop(lab_state& s, call& c) {
  if (c.segments.size() < 2 || c.segments.size() > 3) return problem(404, "Try /loop/3.");
  std::uint64_t n = bounded(c.segments[1], 1, s.opts.max_hops, "The loop's length");
  std::uint64_t at = c.segments.size() == 3 ? bounded(c.segments[2], 1, n - 1 == 0 ? 0 : n - 1, "The position") : 0;
  std::uint64_t next = (at + 1) % n;
  int code = static_cast<int>(bounded(c.param("code").value_or("302"), 300, 399, "code"));
  std::string target = next == 0 ? fmt::format("/loop/{}", n) : fmt::format("/loop/{}/{}", n, next);
  std::string_view query = c.req.head.has_query ? c.req.head.query : std::string_view{};
  if (!query.empty()) target += fmt::format("?{}", query);
  return redirect_to(c.link(target), code);
}

response chain(lab_state& s, call& c) {
  if (c.segments.size() < 3 || c.segments.size() > 4) return problem(404, "Try /chain/307/3.");
  int code = static_cast<int>(bounded(c.segments[1], 300, 399, "The redirect code"));
  if (code == 304 || code == 306)
    return problem(400, fmt::format("{} does not redirect.", code));
  std::uint64_t n = bounded(c.segments[2], 1, s.opts.max_hops, "The number of hops");
  std::uint64_t at = c.segments.size() == 4 ? bounded(c.segments[3], 1, n - 1, "The hop") : 0;
  return redirect_to(at + 1 == n ? c.link("/anything")
                                 : c.link(fmt::format("/chain/{}/{}/{}", code, n, at + 1)),
                     code);
}

std::vector<std::pair<std::string, std::string>> request_cookies(const call& c) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const http1::field_line& f : c.req.head.fields) {
    if (!core::syntax::iequals(f.name, "Cookie")) continue;
    // RFC 6265 §4.2.1: cookie-pair *( "; " cookie-pair ).
    std::string_view list = f.value;
    while (!list.empty()) {
      std::size_t semi = list.find(';');
      std::string_view pair = core::syntax::trim_ows(list.substr(0, semi));
      list = semi == std::string_view::npos ? std::string_view{} : list.substr(semi + 1);
      std::size_t eq = pair.find('=');
      if (eq == std::string_view::npos || eq == 0) continue;
      out.emplace_back(std::string(pair.substr(0, eq)), std::string(pair.substr(eq + 1)));
    }
  }
  return out;
}

bool cookie_value_ok(std::string_view v) {
  // RFC 6265 §4.1.1 cookie-octet.
  return std::all_of(v.begin(), v.end(), [](char ch) {
    auto u = static_cast<unsigned char>(ch);
    return u == 0x21 || (u >= 0x23 && u <= 0x2B) || (u >= 0x2D && u <= 0x3A) ||
           (u >= 0x3C && u <= 0x5B) || (u >= 0x5D && u <= 0x7E);
  });
}

response cookies(lab_state&, call& c) {
  const std::string path = c.opts.prefix.empty() ? std::string("/") : c.opts.prefix;
  auto set_cookies = [&](const std::vector<std::pair<std::string, std::string>>& pairs,
                         bool remove) {
    response r = redirect_to(c.link("/cookies"));
    for (const auto& [name, value] : pairs) {
      if (!core::syntax::is_token(name) || !cookie_value_ok(value))
        return problem(400, fmt::format("\"{}\" is not a cookie name and value (RFC 6265 §4.1.1).", name));
      r.fields.add("Set-Cookie", remove ? fmt::format("{}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; "
                                                      "Max-Age=0; Path={}", name, path)
                                        : fmt::format("{}={}; Path={}", name, value, path));
    }
    return r;
  };
  if (c.segments.size() == 1)
    return json_response(200, json{{"cookies", pairs_to_json(request_cookies(c))}});
  if (c.segments[1] == "set" && c.segments.size() == 4)
    return set_cookies({{c.segments[2], c.segments[3]}}, false);
  if (c.segments[1] == "set" && c.segments.size() == 2) return set_cookies(c.query, false);
  if (c.segments[1] == "delete" && c.segments.size() == 2) return set_cookies(c.query, true);
  return problem(404, "Try /cookies, /cookies/set?name=value or /cookies/delete?name.");
}

response response_headers(lab_state&, call& c) {
  response r;
  json shown = json::object();
  for (const auto& [name, value] : c.query) {
    if (core::syntax::iequals(name, "Content-Length") || core::syntax::iequals(name, "Transfer-Encoding") ||
        core::syntax::iequals(name, "Connection") || core::syntax::iequals(name, "Date") ||
        core::syntax::iequals(name, "Server"))
      return problem(400, fmt::format("{} is the server's to set (it frames or stamps every response).", name));
    if (!r.fields.add(name, value))
      return problem(400, fmt::format("\"{}: {}\" is not a valid field line.", name, value));
    std::string key = name;
    if (!shown.contains(key)) shown[key] = value;
    else if (shown[key].is_array()) shown[key].push_back(value);
    else shown[key] = json::array({shown[key], value});
  }
  if (!r.fields.find("Content-Type")) {
    r.fields.set("Content-Type", "application/json");
    shown["Content-Type"] = "application/json";
  }
  std::string body = text_of(shown);
  r.body.pieces.emplace_back(std::move(body));
  return r;
}

response cache(lab_state& s, call& c) {
  if (c.segments.size() == 2) {
    std::uint64_t seconds = bounded(c.segments[1], 0, 31'536'000, "max-age");
    response r = json_response(200, echo(c, false, false));
    r.fields.set("Cache-Control", fmt::format("public, max-age={}", seconds));
    return r;
  }
  // The echo differs with each request's fields, so its validators are weak (RFC 9110 §8.8.1):
  // every version is as good as another for a cache.
  document d;
  d.body = text_of(echo(c, false, false));
  d.etag = fmt::format("lab-{:x}", s.started.time_since_epoch().count());
  d.weak = true;
  d.modified = s.started;
  return decide(d, c);
}

response etag(lab_state&, call& c) {
  if (c.segments.size() != 2) return problem(404, "Try /etag/xyzzy.");
  if (c.segments[1].empty() || !core::is_opaque_tag_content(c.segments[1]))
    return problem(400, "An entity tag holds no spaces, quotes or controls (RFC 9110 §8.8.3).");
  document d;
  d.body = text_of(echo(c, false, false));
  d.etag = c.segments[1];
  return decide(d, c);
}

response byte_range(lab_state& s, call& c) {
  if (c.segments.size() != 2) return problem(404, "Try /range/1024.");
  std::uint64_t n = bounded(c.segments[1], 0, s.opts.max_bytes, "The length");
  document d;
  d.body.resize(n);
  for (std::uint64_t i = 0; i < n; ++i) d.body[i] = static_cast<char>('a' + i % 26);
  d.content_type = "application/octet-stream";
  d.etag = fmt::format("range{}", n);
  d.ranges = true;
  return decide(d, c);
}

response bytes(lab_state& s, call& c) {
  if (c.segments.size() != 2) return problem(404, "Try /bytes/1024.");
  std::uint64_t n = bounded(c.segments[1], 0, s.opts.max_bytes, "The length");
  response r;
  r.set_text(random_octets(n, c.param("seed")), "application/octet-stream");
  return r;
}

response stream_bytes(lab_state& s, call& c) {
  if (c.segments.size() != 2) return problem(404, "Try /stream-bytes/1024.");
  std::uint64_t n = bounded(c.segments[1], 0, s.opts.max_bytes, "The length");
  const std::string default_chunk = std::to_string(std::min<std::uint64_t>(10240, s.opts.max_bytes));
  std::uint64_t chunk = bounded(c.param("chunk_size").value_or(default_chunk), 1, s.opts.max_bytes, "chunk_size");
  std::string all = random_octets(n, c.param("seed"));
  response r;
  r.fields.set("Content-Type", "application/octet-stream");
  for (std::uint64_t at = 0; at < n; at += chunk) r.body.pieces.emplace_back(all.substr(at, chunk));
  auto p = plan();
  p->chunked = true;
  r.paced = std::move(p);
  return r;
}

response stream(lab_state& s, call& c) {
  if (c.segments.size() != 2) return problem(404, "Try /stream/5.");
  std::uint64_t n = bounded(c.segments[1], 0, s.opts.max_lines, "The number of lines");
  response r;
  r.fields.set("Content-Type", "application/json");
  json line = echo(c, false, false);
  for (std::uint64_t i = 0; i < n; ++i) {
    line["id"] = i;
    r.body.pieces.emplace_back(text_of(line, -1));
  }
  auto p = plan();
  p->chunked = true;
  r.paced = std::move(p);
  return r;
}

response drip(lab_state& s, call& c) {
  const std::string default_duration = seconds_text(std::min<std::chrono::milliseconds>(std::chrono::seconds(2), s.opts.max_delay));
  auto total = bounded_time(c.param("duration").value_or(default_duration), s.opts.max_delay, "duration");
  auto delay = bounded_time(c.param("delay").value_or("0"), s.opts.max_delay - total, "delay");
  std::uint64_t n = bounded(c.param("numbytes").value_or("10"), 1, s.opts.max_bytes, "numbytes");
  int code = static_cast<int>(bounded(c.param("code").value_or("200"), 200, 599, "code"));
  if (core::content_forbidden(code)) return problem(400, fmt::format("A {} has no content to drip.", code));
  // At most a thousand writes, however many octets.
  std::uint64_t pieces = std::min<std::uint64_t>(n, 1000);
  response r(code);
  r.fields.set("Content-Type", "application/octet-stream");
  for (std::uint64_t i = 0; i < pieces; ++i)
    r.body.pieces.emplace_back(std::string(n / pieces + (i < n % pieces ? 1 : 0), '*'));
  auto p = plan();
  p->delay = delay;
  p->between_pieces = pieces > 1 ? total / static_cast<long>(pieces - 1) : total;
  r.paced = std::move(p);
  return r;
}

response delay(lab_state& s, call& c) {
  if (c.segments.size() != 2) return problem(404, "Try /delay/2.");
  auto wait = bounded_time(c.segments[1], s.opts.max_delay, "The delay");
  response r = json_response(200, echo(c, true, false));
  auto p = plan();
  p->delay = wait;
  r.paced = std::move(p);
  return r;
}

response coded(call& c, core::content_coding coding, std::string_view flag) {
  json body{{std::string(flag), true},
            {"headers", echo(c, false, false)["headers"]},
            {"method", std::string(c.req.head.method)},
            {"origin", c.origin()}};
  response r;
  r.fields.set("Content-Type", "application/json");
  r.fields.set("Content-Encoding", core::token(coding));
  r.body.pieces.emplace_back(core::encode(coding, text_of(body)));
  return r;
}
response gzip(lab_state&, call& c) { return coded(c, core::content_coding::gzip, "gzipped"); }
response deflate(lab_state&, call& c) { return coded(c, core::content_coding::deflate, "deflated"); }
response brotli(lab_state&, call& c) { return coded(c, core::content_coding::br, "brotli"); }
response zstd(lab_state&, call& c) { return coded(c, core::content_coding::zstd, "zstd"); }

response fixed(std::string_view text, std::string_view type) {
  response r;
  r.set_text(std::string(text), type);
  return r;
}
response encoding(lab_state&, call& c) {
  if (c.segments.size() != 2 || c.segments[1] != "utf8") return problem(404, "Try /encoding/utf8.");
  return fixed(sample_utf8(), "text/html; charset=utf-8");
}
response html(lab_state&, call&) { return fixed(sample_html(), "text/html; charset=utf-8"); }
response json_sample(lab_state&, call&) { return fixed(sample_json(), "application/json"); }
response xml(lab_state&, call&) { return fixed(sample_xml(), "application/xml"); }
response robots(lab_state&, call&) { return fixed(robots_txt(), "text/plain"); }
response deny(lab_state&, call&) { return fixed(deny_text(), "text/plain"); }

response links(lab_state& s, call& c) {
  if (c.segments.size() < 2 || c.segments.size() > 3) return problem(404, "Try /links/10/0.");
  std::uint64_t n = bounded(c.segments[1], 1, s.opts.max_hops, "The number of links");
  if (c.segments.size() == 2) return redirect_to(c.link(fmt::format("/links/{}/0", n)));
  std::uint64_t offset = bounded(c.segments[2], 0, n - 1, "The offset");
  std::string page = "<html><head><title>Links</title></head><body>";
  for (std::uint64_t i = 0; i < n; ++i) {
    if (i == offset) page += fmt::format("{} ", i);
    else page += fmt::format("<a href='{}'>{}</a> ", c.link(fmt::format("/links/{}/{}", n, i)), i);
  }
  page += "</body></html>";
  return fixed(page, "text/html; charset=utf-8");
}

response base64(lab_state&, call& c) {
  if (c.segments.size() != 2) return problem(404, "Try /base64/SGVyYWxk.");
  std::optional<std::string> decoded = core::base64_decode(c.segments[1], true);
  if (!decoded) return problem(400, "That is not base64 (RFC 4648 §5, URL alphabet): try SGVyYWxk.");
  return fixed(*decoded, "text/html; charset=utf-8");
}

response image(lab_state&, call& c) {
  if (c.segments.size() == 2) {
    for (const lab_detail::image& i : images()) {
      if (i.name != c.segments[1]) continue;
      document d;
      d.body = i.octets;
      d.content_type = std::string(i.media_type);
      d.etag = fmt::format("image-{}", i.name);
      d.ranges = true;
      return decide(d, c);
    }
    return problem(404, "The images are /image/png, /image/jpeg, /image/webp and /image/svg.");
  }
  image_resource r;
  return decide(r, c);
}

response expect(lab_state&, call& c) {
  return json_response(200, json{{"expect", std::string(c.req.head.expect)},
                                 {"answer", std::string(c.param("answer").value_or("100"))},
                                 {"received", c.req.body.size()}});
}

response early_hints(lab_state&, call& c) {
  response r = fixed(fmt::format("<!DOCTYPE html>\n<title>Early hints</title>\n<img src=\"{}\">\n",
                                 c.link("/image/svg")),
                     "text/html; charset=utf-8");
  // RFC 8297: 103 carries the Link fields the final response will have.
  std::string link = fmt::format("<{}>; rel=preload; as=image", c.link("/image/svg"));
  r.interim.push_back({103, {}});
  r.interim.back().fields.add("Link", link);
  r.fields.add("Link", link);
  return r;
}

response processing(lab_state& s, call& c) {
  const std::string default_wait = seconds_text(std::min<std::chrono::milliseconds>(std::chrono::seconds(3), s.opts.max_delay));
  auto wait = bounded_time(c.param("seconds").value_or(default_wait), s.opts.max_delay, "seconds");
  response r = json_response(200, json{{"processed", wait.count() / 1000.0}});
  r.processing_interval = std::chrono::seconds(1);
  auto p = plan();
  p->delay = wait;
  r.paced = std::move(p);
  return r;
}

response timeout(lab_state& s, call& c) {
  auto hold = bounded_time(c.param("seconds").value_or(seconds_text(s.opts.max_delay)), s.opts.max_delay, "seconds");
  response r(200);
  r.reason_token = "unfinished-head";
  auto p = plan();
  p->raw = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n";
  p->hold = hold;
  r.paced = std::move(p);
  return r;
}

response drop(lab_state& s, call& c) {
  if (c.segments.size() != 2) return problem(404, "Try /drop/100.");
  std::uint64_t cut = bounded(c.segments[1], 0, s.opts.max_bytes - 1, "The octets before the drop");
  const std::string default_length = std::to_string(std::min<std::uint64_t>(2 * cut + 1, s.opts.max_bytes));
  std::uint64_t length = bounded(c.param("length").value_or(default_length), cut + 1, s.opts.max_bytes, "length");
  response r;
  r.set_text(std::string(length, 'x'), "application/octet-stream");
  auto p = plan();
  p->cut_after = cut;
  r.paced = std::move(p);
  return r;
}

response changing(lab_state& s, call& c) {
  if (c.segments.size() != 2) return problem(404, "Try /changing/1024.");
  std::uint64_t n = bounded(c.segments[1], 0, s.opts.max_bytes, "The length");
  std::uint64_t version = ++s.changes;
  document d;
  std::string line = fmt::format("version {}\n", version);
  d.body.reserve(n);
  while (d.body.size() < n) d.body += line;
  d.body.resize(n);
  d.content_type = "text/plain";
  d.etag = fmt::format("v{}", version);
  d.ranges = true;
  return decide(d, c);
}

response trailers(lab_state&, call& c) {
  response r;
  r.fields.set("Content-Type", "text/plain; charset=utf-8");
  r.fields.set("Trailer", "Content-Digest");
  std::string all;
  for (std::string_view part : {"The content goes out in chunks;\n", "its digest follows it,\n",
                                "in a trailer field (RFC 9112 §7.1.2).\n"}) {
    r.body.pieces.emplace_back(std::string(part));
    all += part;
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  EVP_Digest(all.data(), all.size(), digest, &size, EVP_sha256(), nullptr);
  auto p = plan();
  p->chunked = true;
  // RFC 9530 §2: Content-Digest as a Structured Fields dictionary of byte sequences.
  p->trailers.add("Content-Digest", fmt::format("sha-256=:{}:", core::base64_encode(std::string_view(
                                                                     reinterpret_cast<char*>(digest), size))));
  r.paced = std::move(p);
  (void)c;
  return r;
}

response conditional(lab_state&, call& c) {
  document d;
  d.body = "A resource whose validators the query sets.\n";
  d.content_type = "text/plain; charset=utf-8";
  d.ranges = true;
  d.methods = {core::method::get, core::method::head, core::method::options, core::method::put,
               core::method::delete_};
  if (auto e = c.param("etag")) {
    if (e->empty() || !core::is_opaque_tag_content(*e))
      return problem(400, "etag holds no spaces, quotes or controls (RFC 9110 §8.8.3).");
    d.etag = std::string(*e);
    d.weak = c.param("weak") == "1";
  }
  if (auto m = c.param("last_modified")) {
    d.modified = core::parse_http_date(*m);
    if (!d.modified) return problem(400, "last_modified must be an HTTP-date (RFC 9110 §5.6.7).");
  }
  d.present = c.param("exists") != "0";
  return decide(d, c);
}

response retry_after(lab_state&, call& c) {
  if (c.segments.size() != 2) return problem(404, "Try /retry-after/3.");
  std::string_view value = c.segments[1];
  // RFC 9110 §10.2.3: delay-seconds or an HTTP-date.
  if (!valid_retry_after(value))
    return problem(400, "Retry-After is a number of seconds or an HTTP-date (RFC 9110 §10.2.3).");
  int code = static_cast<int>(bounded(c.param("status").value_or("503"), 300, 599, "status"));
  response r = problem(code, "Come back later: see Retry-After.");
  r.fields.set("Retry-After", value);
  return r;
}

response basic(lab_state&, call& c) {
  if (c.segments.size() != 3) return problem(404, "Try /basic-auth/user/passwd.");
  return basic_auth(c, c.segments[1], c.segments[2], c.segments[0] == "hidden-basic-auth");
}
response bearer(lab_state&, call& c) { return bearer_auth(c); }
response digest(lab_state&, call& c) {
  if (c.segments.size() < 4 || c.segments.size() > 5)
    return problem(404, "Try /digest-auth/auth/user/passwd/SHA-256.");
  return digest_auth(c, c.segments[1], c.segments[2], c.segments[3],
                     c.segments.size() == 5 ? std::string_view(c.segments[4]) : "MD5");
}

struct route {
  std::string_view first;      // the first segment of the path
  server::method_set methods;  // the lab's own check; empty when the engine decides
  endpoint fn;
  std::string_view example;  // for the index page
  std::string_view summary;
};

constexpr server::method_set engine_decides{};

const std::array routes{
    route{"get", reading, get_echo, "/get?show_env=1", "the request as JSON (args, headers, origin, url)"},
    route{"post", {core::method::post, core::method::options}, content_echo, "", "the request and its content as JSON"},
    route{"put", {core::method::put, core::method::options}, content_echo, "", "the same, for PUT"},
    route{"patch", {core::method::patch, core::method::options}, content_echo, "", "the same, for PATCH"},
    route{"delete", {core::method::delete_, core::method::options}, content_echo, "", "the same, for DELETE"},
    route{"anything", every_method, anything, "/anything/any/path?x=1", "any method, any path beneath: the request with its method"},
    route{"headers", reading, headers, "/headers", "the request's header fields"},
    route{"ip", reading, ip, "/ip", "the client's address"},
    route{"user-agent", reading, user_agent, "/user-agent", "the User-Agent field"},
    route{"uuid", reading, uuid, "/uuid", "a version 4 UUID"},
    route{"status", every_method, status_code, "/status/418", "that code, with the fields it requires; /status/200,500 or /status/200:0.9,500:0.1 picks at random; /status lists the registry"},
    route{"response-headers", {core::method::get, core::method::head, core::method::post, core::method::options}, response_headers, "/response-headers?X-Lab=1", "a response with the query's fields"},
    route{"redirect", reading, redirect, "/redirect/3", "n 302 redirects, then /get (absolute=true for absolute Locations)"},
    route{"relative-redirect", reading, relative_redirect, "/relative-redirect/3", "n redirects with relative Locations"},
    route{"absolute-redirect", reading, absolute_redirect, "/absolute-redirect/3", "n redirects with absolute Locations"},
    route{"redirect-to", every_method, redirect_to_url, "/redirect-to?url=/get&status_code=307", "a redirect to url with status_code (3xx)"},
    route{"loop", every_method, loop, "/loop/3", "a redirect cycle of length n"},
    route{"chain", every_method, chain, "/chain/308/3", "n hops of one redirect code, then /anything"},
    route{"basic-auth", reading, basic, "/basic-auth/user/passwd", "Basic authentication (401 + WWW-Authenticate)"},
    route{"hidden-basic-auth", reading, basic, "/hidden-basic-auth/user/passwd", "Basic authentication, 404 instead of 401"},
    route{"digest-auth", every_method, digest, "/digest-auth/auth/user/passwd/SHA-256", "Digest authentication (RFC 7616): qop auth or auth-int; MD5, SHA-256, SHA-512-256, -sess"},
    route{"bearer", reading, bearer, "/bearer", "Bearer tokens (RFC 6750)"},
    route{"cookies", reading, cookies, "/cookies/set?flavour=oat", "the request's cookies; /cookies/set and /cookies/delete redirect back"},
    route{"cache", engine_decides, cache, "/cache", "304 for a conditional request (weak validators); /cache/n sets max-age"},
    route{"etag", engine_decides, etag, "/etag/xyzzy", "a resource with that ETag: If-None-Match → 304, If-Match → 412"},
    route{"range", engine_decides, byte_range, "/range/1024", "n octets a–z with ranges: 206, multipart, 416"},
    route{"bytes", reading, bytes, "/bytes/64?seed=1", "n random octets (seed for repeatable ones)"},
    route{"stream-bytes", reading, stream_bytes, "/stream-bytes/64?chunk_size=16", "n random octets, chunked"},
    route{"stream", reading, stream, "/stream/5", "n JSON lines, one chunk each"},
    route{"drip", reading, drip, "/drip?duration=2&numbytes=5&delay=1", "numbytes octets spread over duration seconds, after delay"},
    route{"delay", every_method, delay, "/delay/2", "the request as JSON, n seconds later"},
    route{"gzip", reading, gzip, "/gzip", "JSON, gzip-coded"},
    route{"deflate", reading, deflate, "/deflate", "JSON, deflate-coded"},
    route{"brotli", reading, brotli, "/brotli", "JSON, br-coded"},
    route{"zstd", reading, zstd, "/zstd", "JSON, zstd-coded"},
    route{"encoding", reading, encoding, "/encoding/utf8", "a UTF-8 page"},
    route{"html", reading, html, "/html", "an HTML page"},
    route{"json", reading, json_sample, "/json", "a JSON document"},
    route{"xml", reading, xml, "/xml", "an XML document"},
    route{"robots.txt", reading, robots, "/robots.txt", "robots rules"},
    route{"deny", reading, deny, "/deny", "the page robots.txt denies"},
    route{"links", reading, links, "/links/10/0", "a page of n links"},
    route{"base64", reading, base64, "/base64/SGVyYWxkIGtub3dzIGV2ZXJ5IGNvZGU", "the decoded value"},
    route{"image", engine_decides, image, "/image", "an image by Accept (png, jpeg, webp, svg; 406 for none), or /image/png"},
    route{"expect", {core::method::post, core::method::put, core::method::options}, expect, "", "Expect: 100-continue answered with 100, 417 (?answer=417) or silence (?answer=silence)"},
    route{"early-hints", reading, early_hints, "/early-hints", "103 Early Hints, then 200"},
    route{"processing", every_method, processing, "/processing?seconds=3", "102 Processing every second, then 200"},
    route{"timeout", reading, timeout, "/timeout?seconds=5", "a head that never finishes"},
    route{"drop", reading, drop, "/drop/100", "a response cut off after n octets of its content"},
    route{"changing", engine_decides, changing, "/changing/1024", "n octets whose ETag changes on every request"},
    route{"trailers", reading, trailers, "/trailers", "chunked content with a Content-Digest trailer"},
    route{"conditional", engine_decides, conditional, "/conditional?etag=v1&last_modified=Sun,%2006%20Nov%201994%2008:49:37%20GMT", "validators from the query: 304, 412, 206 as the engine decides"},
    route{"retry-after", every_method, retry_after, "/retry-after/3", "503 (or ?status=429) with that Retry-After"},
};

const route* find_route(std::string_view first) {
  for (const route& r : routes)
    if (r.first == first) return &r;
  return nullptr;
}

std::string build_index(const lab_options& o) {
  std::string page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>herald lab</title></head>\n<body>\n"
                     "<h1>herald lab</h1>\n<p>A test origin for HTTP clients, compatible with httpbin. "
                     "Every endpoint is bounded: delays up to ";
  page += fmt::format("{} s, sizes up to {} octets, {} redirects.</p>\n<table>\n<tr><th>endpoint</th><th>methods</th><th>what it answers</th></tr>\n",
                      o.max_delay.count() / 1000.0, o.max_bytes, o.max_hops);
  for (const route& r : routes) {
    std::string example = r.example.empty() ? fmt::format("/{}", r.first) : std::string(r.example);
    std::string cell = r.example.empty()
                           ? core::html_escape(o.prefix + example)
                           : fmt::format("<a href=\"{0}\">{0}</a>", core::html_escape(o.prefix + example));
    page += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n", cell,
                        r.methods.empty() ? "as the resource allows" : r.methods.allow_value(),
                        core::html_escape(r.summary));
  }
  page += "</table>\n</body>\n</html>\n";
  return page;
}

std::string build_registry(const lab_options& o) {
  std::string page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>HTTP status codes</title></head>\n<body>\n"
                     "<h1>HTTP status codes</h1>\n<table>\n<tr><th>code</th><th>reason</th><th>standing</th><th>defined in</th><th>meaning</th></tr>\n";
  for (const core::status_info& s : core::all_statuses()) {
    page += fmt::format("<tr><td><a href=\"{}/status/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                        core::html_escape(o.prefix), s.code, s.code, core::html_escape(s.reason),
                        s.official() ? std::string(core::to_string(s.standing)) : core::html_escape(s.origin),
                        core::html_escape(s.reference), core::html_escape(s.summary_en));
  }
  page += "</table>\n</body>\n</html>\n";
  return page;
}

struct located {
  const route* target = nullptr;
  std::vector<std::string> segments;
  std::optional<response> failure;
};

located locate(const lab_options& o, const http1::request_head& head) {
  located out;
  std::string_view path = head.path;
  if (!path.starts_with(o.prefix)) {
    out.failure = problem(404, fmt::format("The lab lives under {}.", o.prefix));
    return out;
  }
  path.remove_prefix(o.prefix.size());
  while (path.starts_with('/')) path.remove_prefix(1);
  while (!path.empty()) {
    std::size_t slash = path.find('/');
    std::optional<std::string> segment = core::percent_decode(path.substr(0, slash));
    if (!segment) {
      out.failure = problem(400, "The path holds a malformed percent-escape.");
      return out;
    }
    out.segments.push_back(std::move(*segment));
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
  }
  if (out.segments.empty()) return out;
  out.target = find_route(out.segments[0]);
  if (!out.target) out.failure = problem(404, "The lab has no such endpoint; its index lists every one.");
  return out;
}

// The lab's own method check (the engine makes it for the resources it decides).
std::optional<response> refuse_method(const route& r, const http1::request_head& head) {
  if (r.methods.empty()) return std::nullopt;
  if (head.known_method && r.methods.contains(*head.known_method)) {
    if (*head.known_method != core::method::options) return std::nullopt;
    response ok(204);
    ok.fields.set("Allow", r.methods.allow_value());
    return ok;
  }
  response refusal = problem(405, fmt::format("/{} allows {}.", r.first, r.methods.allow_value()));
  refusal.fields.set("Allow", r.methods.allow_value());
  return refusal;
}

}  // namespace

namespace {

// A "." or ".." segment: request paths are matched once their dot-segments are removed (RFC
// 3986 §5.2.4), so a prefix holding one would never match.
bool has_dot_segment(std::string_view path) {
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(start, end - start);
    if (segment == "." || segment == "..") return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

std::optional<std::string> normalize_lab_prefix(std::string& prefix) {
  while (prefix.size() > 1 && prefix.ends_with('/')) prefix.pop_back();
  if (prefix == "/") prefix.clear();
  if (!prefix.empty() &&
      (prefix.front() != '/' || prefix.find_first_of("?#%\\ ") != std::string::npos ||
       prefix.find("//") != std::string::npos || has_dot_segment(prefix)))
    return prefix + ": expected a path such as /lab";
  return std::nullopt;
}

lab::lab(lab_options options) : state_(std::make_unique<lab_state>()) {
  while (options.prefix.ends_with('/')) options.prefix.pop_back();
  state_->opts = std::move(options);
  state_->index_page = build_index(state_->opts);
  state_->registry_page = build_registry(state_->opts);
}

lab::~lab() = default;

std::string_view lab::server_allow() const { return "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"; }

server::content_decision lab::prepare(const server::request& r) {
  if (r.head.framing == http1::body_framing::none)
    return server::content_decision::accept(0);
  located where = locate(state_->opts, r.head);
  if (where.failure) return server::content_decision::reject(std::move(*where.failure));
  if (!where.target) return server::content_decision::reject(problem(405, "The index takes no content."));
  if (std::optional<response> refusal = refuse_method(*where.target, r.head))
    return server::content_decision::reject(std::move(*refusal));
  server::content_decision accept = server::content_decision::accept(state_->opts.max_content);
  if (where.target->first == "expect") {
    std::vector<std::pair<std::string, std::string>> query =
        core::parse_form_urlencoded(r.head.has_query ? r.head.query : std::string_view{});
    std::string_view answer = "100";
    for (const auto& [name, value] : query)
      if (name == "answer") answer = value == "417" ? "417" : value == "silence" ? "silence" : answer;
    if (answer == "417" && !r.head.expect.empty())
      return server::content_decision::reject(
          problem(417, "This endpoint was asked to refuse the expectation (?answer=417)."));
    // The client must send the content anyway after its own wait (RFC 9110 §10.1.1).
    if (answer == "silence") accept.send_continue = false;
  }
  return accept;
}

response lab::handle(server::request& r) {
  located where = locate(state_->opts, r.head);
  if (where.failure) return std::move(*where.failure);
  call c{r, state_->opts, std::move(where.segments),
         core::parse_form_urlencoded(r.head.has_query ? r.head.query : std::string_view{})};
  if (!where.target) {
    if (std::optional<response> refusal = refuse_method(route{"", reading, nullptr, "", ""}, r.head))
      return std::move(*refusal);
    response index;
    index.set_text(state_->index_page, "text/html; charset=utf-8");
    return index;
  }
  if (std::optional<response> refusal = refuse_method(*where.target, r.head))
    return std::move(*refusal);
  try {
    return where.target->fn(*state_, c);
  } catch (bounded_error& e) {
    return std::move(e.answer);
  }
}

}  // namespace herald::handlers
