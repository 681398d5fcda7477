#include <herald/client/redirect.hpp>

#include <algorithm>

#include <herald/core/syntax.hpp>
#include <herald/core/uri.hpp>

namespace herald::client {

namespace {

using core::syntax::iequals;

// The URL without its fragment, normalised: the key of loop detection (RFC 9110 §4.2.3).
std::string visit_key(const request_spec& r) {
  std::string_view url = r.url;
  url = url.substr(0, url.find('#'));
  std::optional<std::string> normal = core::normalize(url);
  return r.method + " " + (normal ? *normal : std::string(url));
}

// scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" (RFC 3986 §3.1), if the text
// starts with one.
std::optional<std::string_view> scheme_of(std::string_view text) {
  std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || !core::syntax::is_alpha(text[0])) return std::nullopt;
  for (char c : text.substr(0, colon))
    if (!core::syntax::is_alpha(c) && !core::syntax::is_digit(c) && c != '+' && c != '-' && c != '.')
      return std::nullopt;
  return text.substr(0, colon);
}

bool is_http_scheme(std::string_view scheme) {
  return iequals(scheme, "http") || iequals(scheme, "https");
}

// Fetch's request-body-header names, and the framing fields a body brings.
constexpr std::string_view content_fields[] = {"Content-Type",     "Content-Length",
                                               "Content-Encoding", "Content-Language",
                                               "Content-Location", "Transfer-Encoding"};

}  // namespace

std::string_view to_string(redirect_verdict v) {
  switch (v) {
    case redirect_verdict::final: return "final";
    case redirect_verdict::follow: return "follow";
    case redirect_verdict::no_location: return "no-location";
    case redirect_verdict::invalid_location: return "invalid-location";
    case redirect_verdict::refused_scheme: return "refused-scheme";
    case redirect_verdict::never_follow: return "never-follow";
    case redirect_verdict::loop: return "loop";
    case redirect_verdict::too_many: return "too-many";
    case redirect_verdict::needs_decision: return "needs-decision";
  }
  return "final";
}

unsigned default_max_hops(redirect_policy policy) { return policy == redirect_policy::strict ? 5 : 20; }

redirect_tracker::redirect_tracker(redirect_policy policy, unsigned max_hops,
                                   const request_spec& first)
    : policy_(policy), max_hops_(max_hops) {
  seen_.push_back(visit_key(first));
}

redirect_step redirect_tracker::next(const request_spec& current, int status,
                                     std::optional<std::string_view> location) {
  redirect_step step;
  if (status < 300 || status > 399 || status == 304) return step;
  switch (status) {
    case 301:
    case 308: step.kind = redirect_kind::permanent; break;
    case 302:
    case 307: step.kind = redirect_kind::temporary; break;
    case 303: step.kind = redirect_kind::see_other; break;
    default: step.kind = redirect_kind::choice; break;
  }
  step.preserves_method = status == 307 || status == 308;
  if (status == 305 || status == 306) {
    step.kind = redirect_kind::none;
    step.verdict = redirect_verdict::never_follow;
    step.detail = status == 305 ? "305 Use Proxy is never followed (RFC 9110 §15.4.6)"
                                : "306 is unused and never followed (RFC 9110 §15.4.7)";
    return step;
  }
  if (!location || core::syntax::trim_ows(*location).empty()) {
    step.verdict = redirect_verdict::no_location;
    step.detail = status == 300 ? "300 without Location: the choice is the user's"
                                : "a redirect without Location";
    return step;
  }

  // A scheme other than http and https is refused whether or not the rest parses (Fetch):
  // "data:text/html,<b>" is not a URI, but it is certainly not a place to go.
  const std::string_view text = core::syntax::trim_ows(*location);
  if (std::optional<std::string_view> scheme = scheme_of(text); scheme && !is_http_scheme(*scheme)) {
    step.verdict = redirect_verdict::refused_scheme;
    step.detail = "a redirect to " + std::string(*scheme) + ": only http and https are followed";
    return step;
  }
  // RFC 3986 §5.2 against the URL requested, then RFC 9110 §10.2.2's fragment rule.
  std::optional<std::string> target = core::resolve(current.url, text);
  core::uri_parse_result parsed = target ? core::parse_uri(*target) : core::uri_parse_result{};
  if (!target || !parsed) {
    step.verdict = redirect_verdict::invalid_location;
    step.detail = "Location is not a URL: " + std::string(*location);
    return step;
  }
  // RFC 9110 §4.2.1: an http URI with an empty host is invalid and must be rejected.
  if (!parsed.uri.authority || parsed.uri.authority->host.empty()) {
    step.verdict = redirect_verdict::invalid_location;
    step.detail = "Location names no host: " + std::string(*location);
    return step;
  }
  if (!parsed.uri.fragment) {
    std::size_t hash = current.url.find('#');
    if (hash != std::string::npos) {
      *target += current.url.substr(hash);
      parsed = core::parse_uri(*target);  // its views pointed into the text before it grew
    }
  }
  step.next = current;
  step.next.url = *target;
  core::uri_parse_result from = core::parse_uri(current.url);
  step.downgrade = from && from.uri.scheme && iequals(*from.uri.scheme, "https") &&
                   iequals(*parsed.uri.scheme, "http");

  // The method: 303 makes every method but HEAD a GET; under fetch, 301, 302 (and 300,
  // unknown 3xx) make POST a GET, as browsers do (RFC 9110 §15.4.2, §15.4.3 allow it); 307 and
  // 308 keep it. The strict policy keeps the method and asks instead, as RFC 2616 did.
  const bool to_get = (status == 303 && current.method != "HEAD") ||
                      (policy_ == redirect_policy::fetch && !step.preserves_method &&
                       status != 303 && current.method == "POST");
  if (to_get) {
    step.method_changed = current.method != "GET";
    step.next.method = "GET";
    step.content_dropped = !current.body.empty();
    step.next.body.clear();
    for (std::string_view name : content_fields)
      if (step.next.fields.erase(name) > 0) step.content_dropped = true;
  }
  if (from && !core::same_origin(from.uri, parsed.uri)) {
    for (std::string_view name : {"Authorization", "Cookie", "Proxy-Authorization"})
      if (step.next.fields.erase(name) > 0) step.credentials_dropped = true;
  }

  const std::string key = visit_key(step.next);
  if (std::find(seen_.begin(), seen_.end(), key) != seen_.end()) {
    step.verdict = redirect_verdict::loop;
    step.detail = "a redirect loop: " + step.next.method + " " + step.next.url + " was already requested";
    return step;
  }
  if (hops_ + 1 > max_hops_) {
    step.verdict = redirect_verdict::too_many;
    step.detail = "more than " + std::to_string(max_hops_) + " redirects";
    return step;
  }
  if (policy_ == redirect_policy::strict && step.next.method != "GET" && step.next.method != "HEAD") {
    step.verdict = redirect_verdict::needs_decision;
    step.detail = "the redirect would send " + step.next.method + " again: confirm it (strict policy)";
    return step;
  }
  step.verdict = redirect_verdict::follow;
  ++hops_;
  seen_.push_back(key);
  return step;
}

}  // namespace herald::client
