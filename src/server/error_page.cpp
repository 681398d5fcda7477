#include "server/error_page.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <array>

#include <herald/core/html.hpp>
#include <herald/core/media_type.hpp>
#include <herald/core/negotiation.hpp>

namespace herald::server {

namespace {

enum class page_format { problem_json, html, text };

// problem+json first: a client that accepts anything (curl's */*) gets the machine-readable form.
const std::array<core::variant, 3>& page_variants() {
  static const std::array<core::variant, 3> variants{
      core::variant{*core::parse_media_type("application/problem+json"), "", "", "", core::qvalue_max},
      core::variant{*core::parse_media_type("text/html"), "", "", "", core::qvalue_max},
      core::variant{*core::parse_media_type("text/plain"), "", "", "", core::qvalue_max},
  };
  return variants;
}

page_format choose_format(std::optional<std::string_view> accept) {
  core::preference_fields prefs;
  prefs.accept = accept;
  core::negotiation_result r = core::negotiate(prefs, page_variants());
  // An error is answered even when the client accepts none of the forms (RFC 9110 §15.5.7
  // lets a server send a representation that is not acceptable rather than a 406).
  if (r.outcome == core::negotiation_outcome::not_acceptable) return page_format::text;
  return static_cast<page_format>(r.best);
}

}  // namespace

bool is_temporary(int status) {
  switch (status) {
    case 408: case 423: case 425: case 429: case 502: case 503: case 504: case 507:
      return true;
    default:
      return false;
  }
}

response error_response(int status, std::string_view detail, std::optional<std::string_view> accept,
                        std::string_view reason_token) {
  response r(status);
  r.reason_token = std::string(reason_token);
  if (core::content_forbidden(status)) return r;
  const std::string_view title = core::reason_phrase(status);
  const bool temporary = is_temporary(status);
  const std::string_view permanence =
      temporary ? "This condition is temporary: the same request may succeed later."
                : "This condition is permanent: repeating the same request will not help.";
  switch (choose_format(accept)) {
    case page_format::problem_json: {
      nlohmann::ordered_json j;
      j["type"] = "about:blank";
      j["title"] = title;
      j["status"] = status;
      j["detail"] = detail;
      j["temporary"] = temporary;
      if (!reason_token.empty()) j["reason"] = reason_token;
      r.set_text(j.dump() + "\n", "application/problem+json");
      break;
    }
    case page_format::html:
      r.set_text(fmt::format("<!DOCTYPE html>\n<html><head><title>{0} {1}</title></head>\n"
                             "<body><h1>{0} {1}</h1>\n<p>{2}</p>\n<p>{3}</p>\n</body></html>\n",
                             status, core::html_escape(title), core::html_escape(detail), permanence),
                 "text/html; charset=utf-8");
      break;
    case page_format::text:
      r.set_text(fmt::format("{} {}\n{}\n{}\n", status, title, detail, permanence));
      break;
  }
  r.fields.add(core::field_name("Vary"), "Accept");
  return r;
}

}  // namespace herald::server
