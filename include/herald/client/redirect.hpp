#pragma once
// How a client follows redirects (RFC 9110 §15.4 and the Fetch standard's "HTTP-redirect
// fetch"), as a pure function of the request sent and the response received, so that every
// rule is tested without a socket.
//
// Policy `fetch` (the default, as browsers):
// - 301 and 302 turn POST into GET; 303 turns every method but HEAD into GET; 307 and 308
//   keep the method and the content. A request turned into GET loses its content and every
//   content field (Content-Type, Content-Length, Content-Encoding, Content-Language,
//   Content-Location, Transfer-Encoding), the user's own included.
// - 300 is followed only when it has Location (RFC 9110 §15.4.1), as 302 would be; so is a
//   3xx code the client does not know (RFC 9110 §15: an unknown code is treated as x00).
// - 304 is final; 305 and 306 are never followed (RFC 9110 §15.4.6, §15.4.7).
// - Location is resolved against the URL requested (RFC 3986 §5); the fragment of the request
//   is kept when Location has none (RFC 9110 §10.2.2).
// - Only http and https are followed (Fetch); a scheme change from https to http is reported
//   as a downgrade.
// - Authorization, Cookie and Proxy-Authorization are dropped when the origin changes.
// - The same method and URL seen again in one chain is a loop, reported as such; otherwise
//   more than `max_hops` redirects is "too many".
// Policy `strict` (the classic rule): follow only when the next request is GET or HEAD, at most
// 5 hops by default; a redirect that would re-send another method is returned for the user to
// decide.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <herald/core/fields.hpp>

namespace herald::client {

enum class redirect_policy : std::uint8_t { fetch, strict };

// A request as the client will send it: the fields are the user's (Host and framing are the
// transport's).
struct request_spec {
  std::string method = "GET";
  std::string url;  // absolute, http or https, with its fragment if it had one
  core::fields fields;
  std::string body;
  // Whether large content may wait for 100 Continue (Expect: 100-continue); false after a 417.
  bool may_expect = true;
};

enum class redirect_verdict : std::uint8_t {
  final,             // not a redirect: this response is the answer
  follow,            // send `next`
  no_location,       // a redirect status without a usable Location: the response is final
  invalid_location,  // Location does not resolve to a URL
  refused_scheme,    // Location names a scheme other than http or https
  never_follow,      // 305 or 306
  loop,              // `next` was already requested in this chain
  too_many,          // more hops than allowed
  needs_decision,    // strict policy: the next request would not be GET or HEAD
};
std::string_view to_string(redirect_verdict v);  // "loop", "too-many", ...

// What one redirect means, whatever the verdict.
enum class redirect_kind : std::uint8_t { none, permanent, temporary, see_other, choice };

struct redirect_step {
  redirect_verdict verdict = redirect_verdict::final;
  redirect_kind kind = redirect_kind::none;
  bool preserves_method = false;  // 307, 308: what the code promises
  request_spec next;              // for follow (and, for refusals, what it would have been)
  bool method_changed = false;
  bool content_dropped = false;
  bool credentials_dropped = false;
  bool downgrade = false;  // https → http
  std::string detail;      // one line for the user when the verdict is not final or follow
};

class redirect_tracker {
 public:
  // `max_hops`: 20 for fetch (Fetch's limit), 5 for strict, unless the user says otherwise.
  redirect_tracker(redirect_policy policy, unsigned max_hops, const request_spec& first);

  // The step after `current` got `status` with `location` (the Location field, if any).
  // Counts the hop and remembers the URL when the verdict is follow.
  redirect_step next(const request_spec& current, int status,
                     std::optional<std::string_view> location);
  unsigned hops() const { return hops_; }

 private:
  redirect_policy policy_;
  unsigned max_hops_;
  unsigned hops_ = 0;
  std::vector<std::string> seen_;  // "METHOD normalized-url-without-fragment"
};

unsigned default_max_hops(redirect_policy policy);

}  // namespace herald::client
