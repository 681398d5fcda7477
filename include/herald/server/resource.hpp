#pragma once
// A resource as the decision engine (engine.hpp) sees it: an object that answers the questions
// of DESIGN.md's fixed flow. A handler describes what it serves by overriding the questions that
// matter to it; every question has a default, so the smallest resource overrides `describe` and
// `produce` and is a read-only GET/HEAD/OPTIONS resource with one representation.
//
// The engine asks each question at most once per request, in the order of the flow, and only
// when the answer can change the outcome (a GET with no content is never asked about its
// content type). Every function runs on the connection's worker thread and must not block for
// long; an exception becomes a 500 in the connection layer.
//
// Lifetimes: views returned by a resource (variants, entity tags, media types, locations) must
// stay valid until decide() returns; content pieces it produces own their data (strings) or
// share it (file descriptors), and outlive the call.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include <herald/core/byte_range.hpp>
#include <herald/core/etag.hpp>
#include <herald/core/fields.hpp>
#include <herald/core/method.hpp>
#include <herald/core/negotiation.hpp>
#include <herald/server/handler.hpp>
#include <herald/server/response.hpp>

namespace herald::server {

// A set of registered methods (at most 64), one bit per core::method.
class method_set {
 public:
  constexpr method_set() = default;
  constexpr method_set(std::initializer_list<core::method> methods) {
    for (core::method m : methods) insert(m);
  }

  constexpr bool contains(core::method m) const { return (bits_ & bit(m)) != 0; }
  constexpr method_set& insert(core::method m) {
    bits_ |= bit(m);
    return *this;
  }
  constexpr bool empty() const { return bits_ == 0; }
  friend constexpr bool operator==(method_set, method_set) = default;

  // The Allow field value (RFC 9110 §10.2.1): the names in the registry's (alphabetical)
  // order, separated by ", "; "" for an empty set, which RFC 9110 §10.2.1 allows and which
  // means the resource allows no method.
  std::string allow_value() const {
    std::string out;
    for (const core::method_info& m : core::all_methods()) {
      if (!contains(m.id)) continue;
      if (!out.empty()) out += ", ";
      out += m.name;
    }
    return out;
  }

 private:
  static constexpr std::uint64_t bit(core::method m) {
    return std::uint64_t{1} << static_cast<unsigned>(m);
  }
  std::uint64_t bits_ = 0;
};

// Step 1: whether the resource can serve now. A resource-level 503 (a backend down, a
// maintenance window for one path); the protocol layer already answers 503 while draining.
struct availability {
  bool available = true;
  // Retry-After as delay-seconds (RFC 9110 §10.2.3); sent with the 503 when present.
  std::optional<std::chrono::seconds> retry_after = std::nullopt;
};

// Step 4: whether the request carries acceptable credentials.
struct authorization {
  bool authorized = true;
  // When not authorized: the WWW-Authenticate value (RFC 9110 §11.6.1), e.g.
  // `Basic realm="files", charset="UTF-8"`. RFC 9110 §15.5.2 requires at least one challenge
  // with a 401, so an unauthorized answer must carry a non-empty challenge.
  std::string challenge;

  static authorization granted() { return {}; }
  static authorization denied(std::string challenge) { return {false, std::move(challenge)}; }
};

// Step 8: where a missing resource went. The engine picks the status from the two flags:
//   permanent, method preserved      308 (RFC 9110 §15.4.9)
//   permanent, method may change     301 (RFC 9110 §15.4.2)
//   temporary, method preserved      307 (RFC 9110 §15.4.8)
//   temporary, method may change     302 (RFC 9110 §15.4.3)
struct redirect {
  std::string location;  // a URI reference for the Location field
  bool permanent = true;
  bool preserve_method = false;
  // 303: the answer is another resource, to be fetched with GET (RFC 9110 §15.4.4); the two
  // flags above are then ignored.
  bool see_other = false;
};

// Steps 9–10: the validators of one representation (RFC 9110 §8.8). `etag` views into storage
// the resource owns. `last_modified` is the representation's own time; the engine never sends or
// compares a date later than the response's Date (RFC 9110 §8.8.2.1) and uses that Date instead.
struct validators {
  std::optional<core::entity_tag> etag = std::nullopt;
  std::optional<std::chrono::sys_seconds> last_modified = std::nullopt;
};

// What a GET response says about one representation. Views into storage the resource owns.
struct representation {
  std::string_view content_type;      // Content-Type field value; "" to send none
  std::string_view content_encoding;  // Content-Encoding; "" for none (identity)
  std::string_view content_language;  // Content-Language; "" for none
  std::uint64_t length = 0;           // octets of the representation (after content coding)
  // Whether byte ranges of it can be produced: Accept-Ranges says so, and Range and If-Range
  // are ignored when it cannot (RFC 9110 §14.2, §13.1.5).
  bool ranges = true;
};

// Freshness metadata sent with 200, 206 and 304 (RFC 9111 §5.2, §5.3).
struct cache_policy {
  std::string_view cache_control;  // "" to send none
  std::optional<std::chrono::sys_seconds> expires = std::nullopt;
};

// What an unsafe method (or any method other than GET, HEAD, OPTIONS) did.
struct effect {
  enum class kind : std::uint8_t {
    ok,          // 200, with `text` as content (RFC 9110 §15.3.1)
    created,     // 201, Location: `location` when not empty (RFC 9110 §15.3.2)
    accepted,    // 202, `text` describes the pending work (RFC 9110 §15.3.3)
    no_content,  // 204 (RFC 9110 §15.3.5)
    see_other,   // 303, Location: `location` (RFC 9110 §15.4.4)
    conflict,    // 409, `text` explains the conflict (RFC 9110 §15.5.10)
  };
  kind what = kind::no_content;
  std::string location;
  std::string text;
  std::string_view content_type = "text/plain; charset=utf-8";  // of `text`
  // More fields for the response, added after the engine's own (e.g. an ETag after a PUT that
  // stored the content unchanged, RFC 9110 §9.3.4).
  core::fields fields;

  static effect ok(std::string text, std::string_view type = "text/plain; charset=utf-8") {
    return make(kind::ok, {}, std::move(text), type);
  }
  static effect created(std::string location) { return make(kind::created, std::move(location)); }
  static effect accepted(std::string text = {}) {
    return make(kind::accepted, {}, std::move(text));
  }
  static effect no_content() { return make(kind::no_content); }
  static effect see_other(std::string location) {
    return make(kind::see_other, std::move(location));
  }
  static effect conflict(std::string detail) { return make(kind::conflict, {}, std::move(detail)); }

 private:
  static effect make(kind k, std::string location = {}, std::string text = {},
                     std::string_view type = "text/plain; charset=utf-8") {
    effect e;
    e.what = k;
    e.location = std::move(location);
    e.text = std::move(text);
    e.content_type = type;
    return e;
  }
};

class resource {
 public:
  virtual ~resource() = default;

  // 1. service_available → 503 (+ Retry-After).
  virtual availability available(const request&) { return {}; }

  // 3. method_allowed → 405 + Allow; also the Allow of the OPTIONS 204. HEAD should come with
  // GET (RFC 9110 §9.3.2), OPTIONS with anything.
  virtual method_set allowed_methods(const request&) {
    return {core::method::get, core::method::head, core::method::options};
  }

  // 4. well_formed → 400: a detail when the request is malformed for this resource (a query
  // parameter it cannot read, say); std::nullopt when well formed.
  virtual std::optional<std::string> malformed(const request&) { return std::nullopt; }
  // 4. authorized → 401 + WWW-Authenticate.
  virtual authorization authorize(const request&) { return authorization::granted(); }
  // 4. forbidden → 403.
  virtual bool forbidden(const request&) { return false; }

  // 5. content_headers → 501: whether the resource understands every Content-* field of the
  // request (Webmachine's known_content_header). Content-Range on a PUT is refused with 400 by
  // the engine itself (RFC 9110 §14.4).
  virtual bool known_content_headers(const request&) { return true; }
  // 5. content_type → 415 + Accept: the media types ("type/subtype", or "type/*") the request
  // content may have; empty accepts any. Asked only when the request has content.
  virtual std::span<const std::string_view> accepted_content_types(const request&) { return {}; }
  // 5. content_coding → 415 + Accept-Encoding: the content codings the resource can decode;
  // identity is always accepted. Asked only when the request has content with Content-Encoding.
  virtual std::span<const std::string_view> accepted_content_codings(const request&) { return {}; }
  // 5. content_size → 413: the largest content accepted. A handler that adapts a resource
  // passes the same limit to the server from handler::prepare, so the content is never read
  // past it; the engine checks the content it is given.
  virtual std::uint64_t max_content_size(const request&) { return 1024 * 1024; }

  // 7. negotiate → 406 or 300. The representations the resource can send; empty for a resource
  // with a single representation, which is then variant 0 and is not negotiated. With two or
  // more, Vary lists each dimension they differ in (RFC 9110 §12.5.5). A single variant is
  // negotiated too: the client can exclude it (406). Order them by the server's preference:
  // the first of equally good variants wins.
  virtual std::span<const core::variant> variants(const request&) { return {}; }
  // The URI of one variant of its own (for Content-Location, RFC 9110 §8.7, and the list of a
  // 300 or 406); "" when it has none.
  virtual std::string_view variant_location(const request&, std::size_t /*variant*/) { return {}; }
  // Whether to answer 300 with the alternatives when variants a user can tell apart tie
  // (RFC 9110 §15.4.1) rather than sending the first of them.
  virtual bool offers_choice(const request&) { return false; }

  // 8. legally_blocked → 451 + Link: <entity>; rel="blocked-by" (RFC 7725 §3, §4): the URI of
  // the entity that implements the blockage, or std::nullopt when not blocked. Asked whether or
  // not the resource exists, since the legal demand applies either way.
  virtual std::optional<std::string> legally_blocked(const request&) { return std::nullopt; }
  // 8. exists: whether the resource has a current representation.
  virtual bool exists(const request&) { return true; }
  // 8. moved → 301/302/307/308 + Location; asked only when the resource does not exist, so a
  // resource that redirects (a directory without its slash) answers exists() false.
  virtual std::optional<redirect> moved(const request&) { return std::nullopt; }
  // 8. gone → 410; asked only when it does not exist and has not moved.
  virtual bool gone(const request&) { return false; }
  // 8. create: whether a PUT may create the missing resource. When false the answer is 404 and
  // preconditions are ignored (RFC 9110 §13.2.1).
  virtual bool can_create(const request&) { return false; }
  // 8. create → 201 (or what the creation did), after 428 and the preconditions, which a missing
  // resource evaluates with no current representation (If-Match fails, If-None-Match: * holds).
  virtual effect create(request&) { return effect::created({}); }

  // 9. precondition_required → 428 (RFC 6585 §3): whether an unsafe method must be made
  // conditional (If-Match, If-Unmodified-Since or If-None-Match) to avoid lost updates.
  virtual bool requires_precondition(const request&) { return false; }
  // 9–10. The validators of a variant; none by default, so no condition on a validator holds.
  virtual validators validators_of(const request&, std::size_t /*variant*/) { return {}; }

  // 10–11. The GET response's description of a variant.
  virtual representation describe(const request&, std::size_t /*variant*/) { return {}; }
  // Appends the bytes `range` of the variant to `out` as content pieces (text, or file parts
  // sharing one descriptor). `range` lies within [0, length); the engine checks that exactly
  // range.size() octets were appended and answers 500 otherwise, so the Content-Length and
  // Content-Range it sends never disagree with the content. Called once for the whole
  // representation (200), once per range (206), never for an empty representation.
  virtual void produce(const request&, std::size_t /*variant*/, core::byte_range /*range*/,
                       content& /*out*/) {}
  // Cache-Control and Expires of a variant, for 200, 206 and 304.
  virtual cache_policy caching(const request&, std::size_t /*variant*/) { return {}; }

  // 11. The effect of any method other than GET, HEAD and OPTIONS on an existing resource,
  // once its preconditions hold.
  virtual effect perform(request&, std::size_t /*variant*/) { return effect::no_content(); }
};

}  // namespace herald::server
