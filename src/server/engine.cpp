#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <utility>

#include <herald/core/etag.hpp>
#include <herald/core/fields.hpp>
#include <herald/core/html.hpp>
#include <herald/core/http_date.hpp>
#include <herald/core/media_type.hpp>
#include <herald/core/method.hpp>
#include <herald/core/negotiation.hpp>
#include <herald/core/status.hpp>
#include <herald/core/syntax.hpp>
#include <herald/server/engine.hpp>
#include <herald/server/preconditions.hpp>

namespace herald::server {

namespace {

using std::chrono::sys_seconds;

// The request fields the engine reads, found in one pass over the head.
enum class rf : std::size_t {
  if_match,
  if_none_match,
  if_modified_since,
  if_unmodified_since,
  if_range,
  range,
  accept,
  accept_encoding,
  accept_language,
  accept_charset,
  content_type,
  content_encoding,
  content_range,
  count,
};

constexpr std::array<std::string_view, static_cast<std::size_t>(rf::count)> field_names{
    "If-Match",
    "If-None-Match",
    "If-Modified-Since",
    "If-Unmodified-Since",
    "If-Range",
    "Range",
    "Accept",
    "Accept-Encoding",
    "Accept-Language",
    "Accept-Charset",
    "Content-Type",
    "Content-Encoding",
    "Content-Range",
};

class request_fields {
 public:
  explicit request_fields(const http1::request_head& head) : head_(head) {
    for (const http1::field_line& line : head.fields) {
      for (std::size_t i = 0; i < field_names.size(); ++i) {
        if (!core::syntax::iequals(line.name, field_names[i])) continue;
        if (count_[i]++ == 0) first_[i] = line.value;
        break;
      }
    }
  }

  bool has(rf f) const { return count_[index(f)] != 0; }

  // The whole field value: a repeated field's lines joined with ", " (RFC 9110 §5.3), which
  // allocates, once, only for a field that is repeated. A singleton sent twice thereby becomes
  // a list its own parser rejects, which is what RFC 9110 §13.1.3 asks for dates.
  std::optional<std::string_view> get(rf f) {
    const std::size_t i = index(f);
    if (count_[i] == 0) return std::nullopt;
    if (count_[i] == 1) return first_[i];
    if (joined_[i].empty()) {
      for (const http1::field_line& line : head_.fields) {
        if (!core::syntax::iequals(line.name, field_names[i])) continue;
        if (!joined_[i].empty()) joined_[i] += ", ";
        joined_[i] += line.value;
      }
    }
    return joined_[i];
  }

 private:
  static constexpr std::size_t index(rf f) { return static_cast<std::size_t>(f); }

  const http1::request_head& head_;
  std::array<std::string_view, field_names.size()> first_{};
  std::array<std::uint32_t, field_names.size()> count_{};
  std::array<std::string, field_names.size()> joined_{};
};

bool is_identity(std::string_view coding) {
  return coding.empty() || core::syntax::iequals(coding, "identity");
}

// "text/html; language en; coding gzip": a variant as a person reads it, for 300 and 406.
std::string describe_variant(const core::variant& v) {
  std::string out = core::to_string(v.type);
  if (!v.charset.empty()) out.append("; charset ").append(v.charset);
  if (!v.language.empty()) out.append("; language ").append(v.language);
  if (!is_identity(v.coding)) out.append("; coding ").append(v.coding);
  return out;
}

// Whether a media type matches an accepted "type/subtype" or "type/*" (parameters ignored).
bool type_matches(std::string_view accepted, const core::media_type& type) {
  const std::optional<core::media_type> pattern = core::parse_media_type(accepted);
  if (!pattern) return false;
  if (pattern->type == "*") return true;
  if (!core::syntax::iequals(pattern->type, type.type)) return false;
  return pattern->subtype == "*" || core::syntax::iequals(pattern->subtype, type.subtype);
}

std::string join(std::span<const std::string_view> items) {
  std::string out;
  for (std::string_view s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

// 32 hexadecimal digits from a per-thread generator seeded once from the system.
std::array<char, 32> random_boundary() {
  thread_local std::mt19937_64 generator = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  static constexpr std::string_view digits = "0123456789abcdef";
  std::array<char, 32> out{};
  for (std::size_t half = 0; half < 2; ++half) {
    std::uint64_t bits = generator();
    for (std::size_t i = 0; i < 16; ++i, bits >>= 4) out[half * 16 + i] = digits[bits & 0xF];
  }
  return out;
}

// multipart/byteranges (RFC 9110 §14.6), written to a sink that takes text and ranges:
//
//   --BOUNDARY CRLF
//   Content-Type: text/plain CRLF          (when the representation has a type)
//   Content-Range: bytes 0-49/1000 CRLF
//   CRLF
//   <bytes 0-49>
//   CRLF --BOUNDARY CRLF
//   ...
//   <bytes 900-999>
//   CRLF --BOUNDARY-- CRLF
//
// The same writer measures the body (into a counter) and builds it, so the two cannot disagree
// (STYLE.md habit 6).
template <class Sink>
void write_byteranges(Sink& sink, std::string_view boundary, std::string_view content_type,
                      std::span<const core::byte_range> ranges, std::uint64_t length) {
  std::array<char, core::content_range_max_size> buffer{};
  bool first = true;
  for (const core::byte_range& r : ranges) {
    sink.text(first ? "--" : "\r\n--");
    first = false;
    sink.text(boundary);
    sink.text("\r\n");
    if (!content_type.empty()) {
      sink.text("Content-Type: ");
      sink.text(content_type);
      sink.text("\r\n");
    }
    sink.text("Content-Range: ");
    sink.text(core::format_content_range(core::content_range::partial(r, length), buffer));
    sink.text("\r\n\r\n");
    sink.range(r);
  }
  sink.text("\r\n--");
  sink.text(boundary);
  sink.text("--\r\n");
}

struct counting_sink {
  std::uint64_t size = 0;
  void text(std::string_view s) { size += s.size(); }
  void range(const core::byte_range& r) { size += r.size(); }
};

// Builds the body: text runs become one string piece each, ranges come from the resource.
struct building_sink {
  resource& target;
  const request& req;
  std::size_t variant;
  content& out;
  std::string pending;

  void text(std::string_view s) { pending += s; }
  void range(const core::byte_range& r) {
    flush();
    target.produce(req, variant, r, out);
  }
  void flush() {
    if (pending.empty()) return;
    out.pieces.emplace_back(std::move(pending));
    pending.clear();
  }
};

// A validator or date written into a stack buffer, so adding it to the fields is the only copy.
class field_text {
 public:
  explicit field_text(core::entity_tag tag) {
    const std::size_t n = core::format_entity_tag(tag, small_);
    if (n != 0) {
      view_ = {small_.data(), n};
    } else {
      large_ = core::to_string(tag);
      view_ = large_;
    }
  }
  explicit field_text(sys_seconds t) {
    // A server sends the same few modification times over and over: the last one formatted
    // on this thread is kept.
    thread_local bool formatted = false;
    thread_local sys_seconds last_time;
    thread_local std::array<char, core::http_date_length> last_text{};
    if (!formatted || t != last_time) {
      core::format_http_date(t, std::span<char, core::http_date_length>(last_text));
      last_time = t;
      formatted = true;
    }
    std::copy(last_text.begin(), last_text.end(), small_.begin());
    view_ = {small_.data(), core::http_date_length};
  }
  std::string_view view() const { return view_; }

 private:
  std::array<char, 128> small_{};
  std::string large_;
  std::string_view view_;
};

class decision {
 public:
  decision(resource& target, request& req, const engine_options& options,
           std::vector<std::string_view>* trace)
      : target_(target),
        req_(req),
        head_(req.head),
        options_(options),
        trace_(trace),
        fields_(req.head) {}

  response run() {
    response r = walk();
    if (!vary_.empty()) add(r, core::field_name("Vary"), vary_);
    if (field_failed_) {
      // A resource's value (a Location with a CR, say) that no field can carry.
      step("invalid_field");
      r = error(500, "The resource gave a header field value that cannot be sent.");
    }
    if (r.status >= 400) r.reason_token = last_step_;
    return r;
  }

 private:
  void step(std::string_view name) {
    last_step_ = name;
    if (trace_ != nullptr) trace_->push_back(name);
  }

  // `name`: a core::field_name (the engine's own, checked when compiled) or a resource's
  // string (checked as it is added).
  void add(response& r, auto name, std::string_view value) {
    if (!r.fields.add(name, value)) field_failed_ = true;
  }

  static response error(int code, std::string_view detail) {
    response r(code);
    const std::string_view reason = core::reason_phrase(code);
    std::string text;
    text.reserve(3 + 1 + reason.size() + 1 + detail.size() + 1);
    text += std::to_string(code);
    text += ' ';
    text += reason;
    text += '\n';
    text += detail;
    text += '\n';
    r.set_text(std::move(text));
    return r;
  }

  // A short hypertext note with a link, as RFC 9110 §15.4 suggests for redirects.
  static void hypertext_note(response& r, std::string_view location) {
    const std::string href = core::html_escape(location);
    std::string html = "<!DOCTYPE html>\n<title>";
    html += core::reason_phrase(r.status);
    html += "</title>\n<p>";
    html += core::reason_phrase(r.status);
    html += ": <a href=\"";
    html += href;
    html += "\">";
    html += href;
    html += "</a></p>\n";
    r.set_text(std::move(html), "text/html; charset=utf-8");
  }

  bool has_content() const {
    return head_.framing == http1::body_framing::chunked ||
           (head_.framing == http1::body_framing::content_length && head_.content_length > 0) ||
           !req_.body.empty();
  }

  conditional_fields conditions() {
    return {fields_.get(rf::if_match), fields_.get(rf::if_none_match),
            fields_.get(rf::if_modified_since), fields_.get(rf::if_unmodified_since)};
  }

  response walk() {
    step("service_available");
    const availability available = target_.available(req_);
    if (!available.available) {
      response r = error(503, "The resource is temporarily unavailable.");
      if (available.retry_after)
        add(r, core::field_name("Retry-After"),
            std::to_string(std::max<std::int64_t>(available.retry_after->count(), 0)));
      return r;
    }

    step("known_method");
    if (!head_.known_method) return error(501, "The request method is not implemented.");
    method_ = *head_.known_method;

    step("method_allowed");
    const method_set allowed = target_.allowed_methods(req_);
    if (!allowed.contains(method_)) {
      // RFC 9110 §15.5.6: a 405 MUST carry Allow.
      std::string detail{head_.method};
      detail += " is not allowed on this resource.";
      response r = error(405, detail);
      add(r, core::field_name("Allow"), allowed.allow_value());
      return r;
    }

    step("well_formed");
    if (std::optional<std::string> detail = target_.malformed(req_)) return error(400, *detail);

    step("authorized");
    authorization auth = target_.authorize(req_);
    if (!auth.authorized) {
      // RFC 9110 §15.5.2: a 401 MUST carry at least one challenge.
      response r = error(401, "This resource requires authentication.");
      if (auth.challenge.empty())
        field_failed_ = true;
      else
        add(r, core::field_name("WWW-Authenticate"), auth.challenge);
      return r;
    }

    step("forbidden");
    if (target_.forbidden(req_)) return error(403, "Access to this resource is forbidden.");

    if (std::optional<response> refused = check_content()) return std::move(*refused);

    if (method_ == core::method::options) {
      // RFC 9110 §9.3.7: OPTIONS describes the resource's communication options.
      step("options");
      response r(204);
      add(r, core::field_name("Allow"), allowed.allow_value());
      return r;
    }

    if (std::optional<response> answered = negotiate()) return std::move(*answered);

    step("legally_blocked");
    if (std::optional<std::string> entity = target_.legally_blocked(req_)) {
      response r = error(451, "This resource is unavailable for legal reasons.");
      // RFC 7725 §4: identify the entity implementing the blockage.
      std::string link = "<" + *entity + ">; rel=\"blocked-by\"";
      add(r, core::field_name("Link"), link);
      return r;
    }

    step("exists");
    if (!target_.exists(req_)) return missing();
    return existing();
  }

  // Step 5: the request's content.
  std::optional<response> check_content() {
    step("content_headers");
    if (method_ == core::method::put && fields_.has(rf::content_range)) {
      // RFC 9110 §14.4: an origin server that allows PUT MUST answer 400 to one with
      // Content-Range, since a partial PUT would otherwise be stored as the whole.
      return error(400, "A PUT cannot carry Content-Range: send the whole representation.");
    }
    if (!target_.known_content_headers(req_))
      return error(501, "The request has a Content field this resource does not implement.");
    if (!has_content()) return std::nullopt;

    step("content_type");
    const std::span<const std::string_view> types = target_.accepted_content_types(req_);
    if (!types.empty()) {
      // RFC 9110 §8.3: content without Content-Type may be taken as application/octet-stream.
      const std::string_view value =
          fields_.get(rf::content_type).value_or("application/octet-stream");
      const std::optional<core::media_type> type = core::parse_media_type(value);
      const bool accepted =
          type && std::any_of(types.begin(), types.end(),
                              [&](std::string_view t) { return type_matches(t, *type); });
      if (!accepted) {
        // RFC 9110 §15.5.16: Accept says which media types would have been accepted.
        response r = error(415, "The content's media type is not accepted by this resource.");
        add(r, core::field_name("Accept"), join(types));
        return r;
      }
    }

    if (std::optional<std::string_view> codings = fields_.get(rf::content_encoding)) {
      step("content_coding");
      const std::span<const std::string_view> known = target_.accepted_content_codings(req_);
      const std::optional<core::list_elements> list = core::list_elements::parse(*codings);
      bool accepted = list.has_value();
      if (list) {
        for (std::string_view coding : *list) {
          accepted = accepted && (is_identity(coding) ||
                                  std::any_of(known.begin(), known.end(), [&](std::string_view k) {
                                    return core::syntax::iequals(k, coding);
                                  }));
        }
      }
      if (!accepted) {
        // RFC 9110 §15.5.16: for an unsupported content coding, Accept-Encoding lists the
        // codings the resource reads (RFC 9110 §12.5.3: "identity" alone when none).
        response r = error(415, "The content's coding is not supported by this resource.");
        add(r, core::field_name("Accept-Encoding"),
            known.empty() ? std::string{"identity"} : join(known));
        return r;
      }
    }

    step("content_size");
    const std::uint64_t declared =
        head_.framing == http1::body_framing::content_length ? head_.content_length : 0;
    const std::uint64_t size = std::max<std::uint64_t>(declared, req_.body.size());
    if (size > target_.max_content_size(req_))
      return error(413, "The content is larger than this resource accepts.");
    return std::nullopt;
  }

  // Step 7. Sets variant_ and vary_, or answers 406 or 300.
  std::optional<response> negotiate() {
    variants_ = target_.variants(req_);
    if (variants_.empty()) return std::nullopt;
    step("negotiate");
    const core::preference_fields requested{
        fields_.get(rf::accept), fields_.get(rf::accept_encoding), fields_.get(rf::accept_language),
        fields_.get(rf::accept_charset)};
    const core::preferences preferences(requested);
    const core::negotiation_result result = core::negotiate(preferences, variants_);
    if (!result.vary.empty()) vary_ = core::vary_value(result.vary);
    if (result.outcome == core::negotiation_outcome::not_acceptable) return not_acceptable();
    if (result.outcome == core::negotiation_outcome::tie && target_.offers_choice(req_))
      return multiple_choices(preferences, result.best);
    variant_ = result.best;
    return std::nullopt;
  }

  // RFC 9110 §15.5.7: 406 when the client excluded every variant (including, by
  // Accept-Encoding, identity: §12.5.3), with the list of what is available.
  response not_acceptable() {
    std::string detail = "None of the available representations is acceptable. Available:";
    for (std::size_t i = 0; i < variants_.size(); ++i) {
      detail += "\n  ";
      detail += describe_variant(variants_[i]);
      const std::string_view location = target_.variant_location(req_, i);
      if (!location.empty()) detail.append(" at ").append(location);
    }
    return error(406, detail);
  }

  // RFC 9110 §15.4.1: 300 lists the alternatives; Location names the server's preferred one.
  response multiple_choices(const core::preferences& preferences, std::size_t preferred) {
    response r(300);
    const std::string_view location = target_.variant_location(req_, preferred);
    if (!location.empty()) add(r, core::field_name("Location"), location);
    std::string html = "<!DOCTYPE html>\n<title>Multiple Choices</title>\n<ul>\n";
    for (std::size_t i = 0; i < variants_.size(); ++i) {
      if (!preferences.quality_of(variants_[i]).acceptable()) continue;
      const std::string description = core::html_escape(describe_variant(variants_[i]));
      const std::string_view alternative = target_.variant_location(req_, i);
      html += "<li>";
      if (alternative.empty()) {
        html += description;
      } else {
        const std::string href = core::html_escape(alternative);
        html.append("<a href=\"").append(href).append("\">").append(href).append("</a> (");
        html.append(description).append(")");
      }
      html += "</li>\n";
    }
    html += "</ul>\n";
    r.set_text(std::move(html), "text/html; charset=utf-8");
    return r;
  }

  // Step 8, for a resource without a current representation.
  response missing() {
    step("moved");
    if (std::optional<redirect> to = target_.moved(req_)) return moved(*to);
    step("gone");
    if (target_.gone(req_)) return error(410, "This resource is gone and will not come back.");
    if (method_ == core::method::put) {
      step("can_create");
      if (target_.can_create(req_)) return create();
    }
    // RFC 9110 §13.2.1: preconditions do not turn a 404 into a 412.
    step("not_found");
    return error(404, "There is no resource at this address.");
  }

  response moved(const redirect& to) {
    const int code = to.see_other ? 303
                     : to.permanent ? (to.preserve_method ? 308 : 301)
                                    : (to.preserve_method ? 307 : 302);
    response r(code);
    if (to.location.empty())
      field_failed_ = true;
    else
      add(r, core::field_name("Location"), to.location);
    hypertext_note(r, to.location);
    return r;
  }

  response create() {
    if (std::optional<response> r = require_precondition()) return std::move(*r);
    // RFC 9110 §13.2.2 with no current representation: If-Match fails, If-None-Match holds.
    const current_state none{false, std::nullopt, std::nullopt};
    if (std::optional<response> r = check_preconditions(none)) return std::move(*r);
    step("create");
    return apply(target_.create(req_));
  }

  // RFC 6585 §3.
  std::optional<response> require_precondition() {
    if (core::info(method_).safe) return std::nullopt;
    step("precondition_required");
    if (!target_.requires_precondition(req_) || conditions().guards_write()) return std::nullopt;
    return error(428,
                 "This resource requires a conditional request: send If-Match with the entity "
                 "tag of the representation you are replacing.");
  }

  // Step 9: 304 or 412, or nothing to proceed.
  std::optional<response> check_preconditions(const current_state& current) {
    const precondition_result result =
        evaluate_preconditions(conditions(), current, get_or_head(), options_.now);
    for (precondition_step s :
         {precondition_step::if_match, precondition_step::if_unmodified_since,
          precondition_step::if_none_match, precondition_step::if_modified_since}) {
      if (result.evaluated.contains(s)) step(to_string(s));
    }
    switch (result.outcome) {
      case precondition_outcome::proceed:
        return std::nullopt;
      case precondition_outcome::not_modified:
        return not_modified(current);
      case precondition_outcome::failed:
        return error(412, failure_detail());
    }
    return std::nullopt;
  }

  std::string_view failure_detail() const {
    if (last_step_ == "if_match")
      return "If-Match: the current representation does not have a listed entity tag.";
    if (last_step_ == "if_unmodified_since")
      return "If-Unmodified-Since: the representation has been modified since that date.";
    return "If-None-Match: the current representation has a listed entity tag.";
  }

  // RFC 9110 §15.4.5: a 304 carries the fields a 200 would have among Content-Location, Date,
  // ETag, Vary, Cache-Control and Expires, and no other representation metadata unless it
  // guides a cache update: Last-Modified only when there is no ETag.
  response not_modified(const current_state& current) {
    response r(304);
    r.fields.reserve(6, 160);
    if (current.etag)
      add(r, core::field_name("ETag"), field_text(*current.etag).view());
    else if (current.last_modified)
      add(r, core::field_name("Last-Modified"), field_text(*current.last_modified).view());
    add_caching(r);
    add_content_location(r);
    return r;
  }

  // Steps 9–11 for an existing resource.
  response existing() {
    if (std::optional<response> r = require_precondition()) return std::move(*r);
    const validators v = target_.validators_of(req_, variant_);
    current_state current{true, v.etag, v.last_modified};
    // RFC 9110 §8.8.2.1: never a modification date later than the response's Date.
    if (current.last_modified)
      current.last_modified = std::min(*current.last_modified, options_.now);
    // RFC 9110 §13.2.1: CONNECT and TRACE neither select nor modify a representation.
    if (method_ != core::method::connect && method_ != core::method::trace) {
      if (std::optional<response> r = check_preconditions(current)) return std::move(*r);
    }
    if (get_or_head()) return send_representation(current);
    step("effect");
    return apply(target_.perform(req_, variant_));
  }

  bool get_or_head() const { return method_ == core::method::get || method_ == core::method::head; }

  void add_caching(response& r) {
    const cache_policy cache = target_.caching(req_, variant_);
    if (!cache.cache_control.empty())
      add(r, core::field_name("Cache-Control"), cache.cache_control);
    if (cache.expires) add(r, core::field_name("Expires"), field_text(*cache.expires).view());
  }

  // RFC 9110 §8.7: the URI of the negotiated variant, when it has one of its own.
  void add_content_location(response& r) {
    if (variants_.empty()) return;
    const std::string_view location = target_.variant_location(req_, variant_);
    if (!location.empty()) add(r, core::field_name("Content-Location"), location);
  }

  // The fields of a 200 or 206 that describe the selected representation (RFC 9110 §15.3.7:
  // a 206 has those a 200 would have).
  void add_metadata(response& r, const representation& rep, const current_state& current,
                    bool multipart) {
    if (!multipart) {
      if (!rep.content_type.empty()) add(r, core::field_name("Content-Type"), rep.content_type);
      if (!rep.content_encoding.empty())
        add(r, core::field_name("Content-Encoding"), rep.content_encoding);
    }
    if (!rep.content_language.empty())
      add(r, core::field_name("Content-Language"), rep.content_language);
    if (current.etag) add(r, core::field_name("ETag"), field_text(*current.etag).view());
    if (current.last_modified)
      add(r, core::field_name("Last-Modified"), field_text(*current.last_modified).view());
    add_caching(r);
    add_content_location(r);
    // RFC 9110 §14.3: tell the client whether it may ask for ranges.
    add(r, core::field_name("Accept-Ranges"), rep.ranges ? "bytes" : "none");
  }

  // Appends the bytes of `range`, checking the resource produced exactly that many.
  bool produce(response& r, core::byte_range range) {
    const std::uint64_t before = r.body.size();
    target_.produce(req_, variant_, range, r.body);
    return r.body.size() - before == range.size();
  }

  response length_mismatch() {
    step("content_length_mismatch");
    return error(500, "The resource produced content of another length than it announced.");
  }

  // Step 10 and the GET/HEAD part of step 11.
  response send_representation(const current_state& current) {
    step("representation");
    const representation rep = target_.describe(req_, variant_);
    // RFC 9110 §14.2: Range is defined for GET only, and ignored for a representation that
    // has no ranges; so is If-Range then (§13.1.5).
    if (method_ == core::method::get && rep.ranges) {
      if (std::optional<std::string_view> range = fields_.get(rf::range)) {
        if (std::optional<response> r = send_ranges(*range, rep, current)) return std::move(*r);
      }
    }
    response r(200);
    r.fields.reserve(10, 320);
    add_metadata(r, rep, current, false);
    if (rep.length > 0 && !produce(r, {0, rep.length - 1})) return length_mismatch();
    return r;
  }

  // A 206 or 416, or nullopt to send the whole representation.
  std::optional<response> send_ranges(std::string_view range_field, const representation& rep,
                                      const current_state& current) {
    step("range");
    if (std::optional<std::string_view> if_range = fields_.get(rf::if_range)) {
      step("if_range");
      if (!if_range_holds(*if_range, current, options_.now)) return std::nullopt;
    }
    // One per thread, kept between requests: evaluate_range reuses its capacity, so a single
    // range costs no allocation. Its ranges are copied out before any call into the resource,
    // which might itself decide another request on this thread.
    thread_local core::range_resolution resolution;
    core::evaluate_range(range_field, rep.length, resolution, options_.range_limits);
    switch (resolution.decision) {
      case core::range_decision::ignore:
        step("range_ignored");
        return std::nullopt;
      case core::range_decision::unsatisfiable: {
        // RFC 9110 §15.5.17: Content-Range gives the current length.
        response r = error(416, "None of the requested ranges overlaps the representation.");
        std::array<char, core::content_range_max_size> buffer{};
        add(r, core::field_name("Content-Range"),
            core::format_content_range(core::content_range::unsatisfied(rep.length), buffer));
        return r;
      }
      case core::range_decision::partial:
        break;
    }
    if (resolution.ranges.size() == 1) {
      step("single_range");
      const core::byte_range range = resolution.ranges.front();
      response r(206);
      r.fields.reserve(10, 320);
      add_metadata(r, rep, current, false);
      std::array<char, core::content_range_max_size> buffer{};
      add(r, core::field_name("Content-Range"),
          core::format_content_range(core::content_range::partial(range, rep.length), buffer));
      if (!produce(r, range)) return length_mismatch();
      return r;
    }
    const std::vector<core::byte_range> ranges = resolution.ranges;
    return send_multipart(ranges, rep, current);
  }

  std::optional<response> send_multipart(std::span<const core::byte_range> ranges,
                                         const representation& rep, const current_state& current) {
    std::array<char, 32> random{};
    std::string_view boundary = options_.boundary;
    if (boundary.empty()) {
      random = random_boundary();
      boundary = {random.data(), random.size()};
    }
    counting_sink counter;
    write_byteranges(counter, boundary, rep.content_type, ranges, rep.length);
    // RFC 9110 §14.2 lets a server ignore Range; it does when the parts would cost more than
    // the whole (many small ranges, each with its own part header).
    const std::uint64_t factor = options_.max_multipart_expansion;
    const bool affordable =
        factor != 0 && (rep.length > UINT64_MAX / factor || counter.size <= rep.length * factor);
    if (!affordable) {
      step("range_too_costly");
      return std::nullopt;
    }
    step("multiple_ranges");
    response r(206);
    add_metadata(r, rep, current, true);
    std::string type = "multipart/byteranges; boundary=";
    type += boundary;
    add(r, core::field_name("Content-Type"), type);
    building_sink builder{target_, req_, variant_, r.body, {}};
    write_byteranges(builder, boundary, rep.content_type, ranges, rep.length);
    builder.flush();
    if (r.body.size() != counter.size) return length_mismatch();
    return r;
  }

  // Step 11 for methods other than GET, HEAD and OPTIONS.
  response apply(effect e) {
    response r;
    switch (e.what) {
      case effect::kind::ok:
        r = response(200);
        r.set_text(std::move(e.text), e.content_type);
        break;
      case effect::kind::created:
        r = response(201);
        // RFC 9110 §15.3.2: Location names the created resource; without it, the target does.
        if (!e.location.empty()) add(r, core::field_name("Location"), e.location);
        if (!e.text.empty()) r.set_text(std::move(e.text), e.content_type);
        break;
      case effect::kind::accepted:
        r = response(202);
        if (!e.text.empty()) r.set_text(std::move(e.text), e.content_type);
        break;
      case effect::kind::no_content:
        r = response(204);
        break;
      case effect::kind::see_other:
        r = response(303);
        if (e.location.empty())
          field_failed_ = true;
        else
          add(r, core::field_name("Location"), e.location);
        hypertext_note(r, e.location);
        break;
      case effect::kind::conflict:
        r = error(409, e.text);
        break;
    }
    for (const core::field f : e.fields) add(r, f.name, f.value);
    return r;
  }

  resource& target_;
  request& req_;
  const http1::request_head& head_;
  const engine_options& options_;
  std::vector<std::string_view>* trace_;
  request_fields fields_;

  core::method method_ = core::method::get;
  std::span<const core::variant> variants_;
  std::size_t variant_ = 0;
  std::string vary_;
  std::string_view last_step_;
  bool field_failed_ = false;
};

}  // namespace

response decide(resource& target, request& req, const engine_options& options,
                std::vector<std::string_view>* trace) {
  return decision(target, req, options, trace).run();
}

}  // namespace herald::server
