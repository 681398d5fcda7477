#pragma once
// Rules for whole paths, as `herald serve --rule` and the config file's [[rule]] tables give
// them. A rule names a path and what the resource there answers; the decision engine
// (server/engine.hpp) still picks the status and its fields:
//
//   gone PATH                      410 (the resource answers gone())
//   blocked PATH ENTITY-URI        451 + Link: <ENTITY-URI>; rel="blocked-by" (RFC 7725 §3-§4)
//   redirect CODE PATH TARGET      301, 302, 303, 307 or 308 + Location: TARGET, with a short
//                                  hypertext note linking to it (RFC 9110 §15.4); the resource
//                                  answers exists() false and moved()
//   require-precondition PATH      428 for an unsafe method sent without a precondition
//                                  (RFC 6585 §3); the resource answers requires_precondition()
//   early-hints PATH LINK          a 103 with `Link: LINK` before the final response (RFC 8297);
//                                  the server sends no interim response to HTTP/1.0 clients
//
// 303 is refused: server::redirect can only express 301, 302, 307 and 308 for a missing
// resource, and the engine gives 303 only as the effect of an unsafe method.
//
// Paths: a rule's PATH is mapped with core::map_safe_path, as a request path is, and matches a
// request whose mapped path is the same (segments and trailing slash: "/old" does not match
// "/old/"). A PATH ending in "/*" matches whole segments beneath it and the path itself with or
// without its slash: "/old/*" matches "/old", "/old/" and "/old/a/b", never "/older". "/*"
// matches every path.
//
// Combination: of the rules that answer (gone, blocked, redirect) the first matching one wins;
// require-precondition applies with any of them or with the resource the locator found;
// early-hints rules add up: every matching one gives a Link field of the same 103.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <herald/core/safe_path.hpp>
#include <herald/server/resource.hpp>
#include <herald/server/response.hpp>

namespace herald::handlers {

enum class rule_kind : std::uint8_t { gone, blocked, redirect, require_precondition, early_hints };

// "gone", "blocked", "redirect", "require-precondition", "early-hints".
std::string_view to_string(rule_kind k);
std::optional<rule_kind> parse_rule_kind(std::string_view name);

struct path_rule {
  rule_kind kind = rule_kind::gone;
  std::string path;  // as written, "/old/*"
  // What `path` maps to (core::map_safe_path), without the "/*" of a prefix rule.
  core::safe_path mapped;
  bool prefix = false;
  int code = 0;  // redirect: 301, 302, 303, 307 or 308
  // redirect: the Location (a URI reference); blocked: the entity's URI; early-hints: the Link
  // field value.
  std::string value;

  bool matches(const core::safe_path& request_path) const;
};

// A rule's parts, as the config file names them. `value` is the redirect's target, the
// blocking entity or the early hint's Link; `code` only for redirect.
struct rule_spec {
  std::string_view kind;
  std::string_view path;
  std::string_view value;
  std::optional<std::int64_t> code = std::nullopt;
};

// A rule, or the English sentence saying why there is none (no trailing period), e.g.
// "redirect needs a status code: 301, 302, 303, 307 or 308".
struct rule_result {
  std::optional<path_rule> rule;
  std::string error;
};

// Checks and builds a rule from its parts: a known kind, a path core::map_safe_path accepts
// (with an optional "/*"), a redirect code among 301/302/307/308 and a target that is a URI
// reference (RFC 9110 §10.2.2), a blocking entity that is a URI reference without '>', and a
// Link that has the form `<URI-reference>` followed by parameters (RFC 8288 §3) and can be a
// field value. A part the kind does not use must be empty.
rule_result make_path_rule(const rule_spec& spec);

// The command line's form: the kind, then words separated by spaces or tabs in the order of
// the table above; the LINK of early-hints is the rest of the text, spaces included:
//   "redirect 301 /old /new", "early-hints / </style.css>; rel=preload; as=style".
rule_result parse_path_rule(std::string_view text);

// What the rules say about one request path.
struct rule_match {
  const path_rule* answer = nullptr;  // the first gone, blocked or redirect rule; views
  bool require_precondition = false;
  bool early_hints = false;
};

class path_rules {
 public:
  void add(path_rule rule);
  bool empty() const { return rules_.empty(); }
  bool has_early_hints() const { return early_hints_; }
  std::span<const path_rule> rules() const { return rules_; }

  // Views into this object: valid until the next add(). Allocates nothing.
  rule_match match(const core::safe_path& request_path) const;
  // A 103 with one Link field per matching early-hints rule, in order; std::nullopt when none
  // matches.
  std::optional<server::interim_response> early_hints(const core::safe_path& request_path) const;

 private:
  std::vector<path_rule> rules_;
  bool early_hints_ = false;
};

// The resource an answering rule (gone, blocked, redirect) stands for, whatever the path holds:
// it allows `methods`, exists for no one, and answers the rule's question. It copies what it
// needs from the rule.
std::unique_ptr<server::resource> make_rule_resource(const path_rule& answer,
                                                     server::method_set methods = {
                                                         core::method::get, core::method::head,
                                                         core::method::options});

// `inner` with every question forwarded, except that it requires a precondition of unsafe
// methods (RFC 6585 §3). The engine asks only once the method is allowed (405 comes first), so
// a resource that allows no unsafe method never answers 428.
std::unique_ptr<server::resource> requiring_precondition(std::unique_ptr<server::resource> inner);

}  // namespace herald::handlers
