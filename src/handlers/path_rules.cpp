#include <array>
#include <string>
#include <utility>

#include <herald/core/syntax.hpp>
#include <herald/core/uri.hpp>
#include <herald/handlers/path_rules.hpp>

namespace herald::handlers {

namespace {

struct kind_name {
  rule_kind kind;
  std::string_view name;
};
constexpr std::array<kind_name, 5> kind_names{{
    {rule_kind::gone, "gone"},
    {rule_kind::blocked, "blocked"},
    {rule_kind::redirect, "redirect"},
    {rule_kind::require_precondition, "require-precondition"},
    {rule_kind::early_hints, "early-hints"},
}};

bool answers(rule_kind k) {
  return k == rule_kind::gone || k == rule_kind::blocked || k == rule_kind::redirect;
}

std::string fail(std::string_view kind, std::string_view message) {
  std::string out(kind);
  out += ": ";
  out += message;
  return out;
}

// A URI reference that can stand in a field value: RFC 3986 §4.1 and no CR, LF or NUL.
std::optional<std::string> uri_problem(std::string_view text) {
  if (text.empty()) return std::string("is empty");
  const core::uri_parse_result parsed = core::parse_uri_reference(text);
  if (!parsed) return "is not a URI reference (" + std::string(core::describe(parsed.error)) + ")";
  return std::nullopt;
}

// RFC 8288 §3: link-value = "<" URI-Reference ">" *( OWS ";" OWS link-param ).
std::optional<std::string> link_problem(std::string_view text) {
  if (!core::syntax::is_field_value(text)) return std::string("cannot be a field value");
  if (!text.starts_with('<')) return std::string("must start with <URI>, e.g. </style.css>");
  const std::size_t close = text.find('>');
  if (close == std::string_view::npos) return std::string("has no > after its URI");
  if (std::optional<std::string> p = uri_problem(text.substr(1, close - 1))) return "URI " + *p;
  const std::string_view params = core::syntax::trim_ows(text.substr(close + 1));
  if (!params.empty() && !params.starts_with(';'))
    return std::string("must separate parameters from the URI with ';'");
  return std::nullopt;
}

// The next word (spaces and tabs separate words); `text` keeps what follows it.
std::string_view next_word(std::string_view& text) {
  text = core::syntax::trim_ows(text);
  std::size_t end = 0;
  while (end < text.size() && !core::syntax::is_ows(text[end])) ++end;
  const std::string_view word = text.substr(0, end);
  text.remove_prefix(end);
  return word;
}

bool prefix_matches(const core::safe_path& rule, const core::safe_path& request) {
  if (rule.relative.empty()) return true;
  const std::string_view path = request.relative;
  if (!path.starts_with(rule.relative)) return false;
  return path.size() == rule.relative.size() || path[rule.relative.size()] == '/';
}

// What an answering rule's resource needs of it, copied so that the resource does not depend
// on the rule set's lifetime.
class rule_resource final : public server::resource {
 public:
  rule_resource(const path_rule& rule, server::method_set methods)
      : kind_(rule.kind), code_(rule.code), value_(rule.value), methods_(methods) {}

  server::method_set allowed_methods(const server::request&) override { return methods_; }
  std::optional<std::string> legally_blocked(const server::request&) override {
    if (kind_ == rule_kind::blocked) return value_;
    return std::nullopt;
  }
  bool exists(const server::request&) override { return false; }
  std::optional<server::redirect> moved(const server::request&) override {
    if (kind_ != rule_kind::redirect) return std::nullopt;
    // RFC 9110 §15.4: 301/308 are permanent, 302/307 temporary; 307/308 keep the method;
    // 303 sends the client to another resource with GET.
    return server::redirect{value_, code_ == 301 || code_ == 308, code_ == 307 || code_ == 308,
                            code_ == 303};
  }
  bool gone(const server::request&) override { return kind_ == rule_kind::gone; }

 private:
  rule_kind kind_;
  int code_;
  std::string value_;
  server::method_set methods_;
};

class precondition_resource final : public server::resource {
 public:
  explicit precondition_resource(std::unique_ptr<server::resource> inner)
      : inner_(std::move(inner)) {}

  server::availability available(const server::request& r) override { return inner_->available(r); }
  server::method_set allowed_methods(const server::request& r) override {
    return inner_->allowed_methods(r);
  }
  std::optional<std::string> malformed(const server::request& r) override {
    return inner_->malformed(r);
  }
  server::authorization authorize(const server::request& r) override {
    return inner_->authorize(r);
  }
  bool forbidden(const server::request& r) override { return inner_->forbidden(r); }
  bool known_content_headers(const server::request& r) override {
    return inner_->known_content_headers(r);
  }
  std::span<const std::string_view> accepted_content_types(const server::request& r) override {
    return inner_->accepted_content_types(r);
  }
  std::span<const std::string_view> accepted_content_codings(const server::request& r) override {
    return inner_->accepted_content_codings(r);
  }
  std::uint64_t max_content_size(const server::request& r) override {
    return inner_->max_content_size(r);
  }
  std::span<const core::variant> variants(const server::request& r) override {
    return inner_->variants(r);
  }
  std::string_view variant_location(const server::request& r, std::size_t v) override {
    return inner_->variant_location(r, v);
  }
  bool offers_choice(const server::request& r) override { return inner_->offers_choice(r); }
  std::optional<std::string> legally_blocked(const server::request& r) override {
    return inner_->legally_blocked(r);
  }
  bool exists(const server::request& r) override { return inner_->exists(r); }
  std::optional<server::redirect> moved(const server::request& r) override {
    return inner_->moved(r);
  }
  bool gone(const server::request& r) override { return inner_->gone(r); }
  bool can_create(const server::request& r) override { return inner_->can_create(r); }
  server::effect create(server::request& r) override { return inner_->create(r); }
  bool requires_precondition(const server::request&) override { return true; }
  server::validators validators_of(const server::request& r, std::size_t v) override {
    return inner_->validators_of(r, v);
  }
  server::representation describe(const server::request& r, std::size_t v) override {
    return inner_->describe(r, v);
  }
  void produce(const server::request& r, std::size_t v, core::byte_range range,
               server::content& out) override {
    inner_->produce(r, v, range, out);
  }
  server::cache_policy caching(const server::request& r, std::size_t v) override {
    return inner_->caching(r, v);
  }
  server::effect perform(server::request& r, std::size_t v) override {
    return inner_->perform(r, v);
  }

 private:
  std::unique_ptr<server::resource> inner_;
};

}  // namespace

std::string_view to_string(rule_kind k) {
  for (const kind_name& n : kind_names)
    if (n.kind == k) return n.name;
  return "?";
}

std::optional<rule_kind> parse_rule_kind(std::string_view name) {
  for (const kind_name& n : kind_names)
    if (n.name == name) return n.kind;
  return std::nullopt;
}

bool path_rule::matches(const core::safe_path& request_path) const {
  if (prefix) return prefix_matches(mapped, request_path);
  return request_path.relative == mapped.relative && request_path.directory == mapped.directory;
}

rule_result make_path_rule(const rule_spec& spec) {
  rule_result out;
  const std::optional<rule_kind> kind = parse_rule_kind(spec.kind);
  if (!kind) {
    out.error = "unknown rule kind \"" + std::string(spec.kind) +
                "\": expected gone, blocked, redirect, require-precondition or early-hints";
    return out;
  }
  path_rule rule;
  rule.kind = *kind;
  rule.path = std::string(spec.path);

  std::string_view path = spec.path;
  if (path.empty()) {
    out.error = fail(spec.kind, "needs a PATH starting with '/'");
    return out;
  }
  if (path.ends_with("/*")) {
    rule.prefix = true;
    path.remove_suffix(2);
    if (path.empty()) path = "/";
  } else if (path.ends_with('*')) {
    out.error = fail(spec.kind, "path " + rule.path +
                                    ": a prefix rule matches whole segments and ends with \"/*\"");
    return out;
  }
  core::safe_path_result mapped = core::map_safe_path(path);
  if (!mapped) {
    out.error = fail(spec.kind, "path " + rule.path + ": " + std::string(describe(mapped.error)));
    return out;
  }
  rule.mapped = std::move(mapped.path);

  const bool wants_value = *kind == rule_kind::redirect || *kind == rule_kind::blocked ||
                           *kind == rule_kind::early_hints;
  if (!wants_value && !spec.value.empty()) {
    out.error = fail(spec.kind, "takes only a PATH, not \"" + std::string(spec.value) + "\"");
    return out;
  }
  if (*kind != rule_kind::redirect && spec.code) {
    out.error = fail(spec.kind, "takes no status code");
    return out;
  }

  switch (*kind) {
    case rule_kind::redirect: {
      if (!spec.code) {
        out.error = fail(spec.kind, "needs a status code: 301, 302, 303, 307 or 308");
        return out;
      }
      const std::int64_t code = *spec.code;
      if (code != 301 && code != 302 && code != 303 && code != 307 && code != 308) {
        out.error = fail(spec.kind, "status code " + std::to_string(code) +
                                        ": expected 301, 302, 303, 307 or 308");
        return out;
      }
      rule.code = static_cast<int>(code);
      if (spec.value.empty()) {
        out.error = fail(spec.kind, "needs a TARGET, the URI to redirect to");
        return out;
      }
      // RFC 9110 §10.2.2: Location = URI-reference.
      if (std::optional<std::string> p = uri_problem(spec.value)) {
        out.error = fail(spec.kind, "target " + std::string(spec.value) + " " + *p);
        return out;
      }
      break;
    }
    case rule_kind::blocked:
      if (spec.value.empty()) {
        out.error = fail(spec.kind, "needs an ENTITY-URI, the entity that demands the block");
        return out;
      }
      // RFC 7725 §4 names the entity with a Link; RFC 8288 §3 encloses its URI in <>.
      if (std::optional<std::string> p = uri_problem(spec.value)) {
        out.error = fail(spec.kind, "entity URI " + std::string(spec.value) + " " + *p);
        return out;
      }
      break;
    case rule_kind::early_hints:
      if (spec.value.empty()) {
        out.error = fail(spec.kind, "needs a LINK, e.g. </style.css>; rel=preload; as=style");
        return out;
      }
      if (std::optional<std::string> p = link_problem(spec.value)) {
        out.error = fail(spec.kind, "link " + std::string(spec.value) + " " + *p);
        return out;
      }
      break;
    case rule_kind::gone:
    case rule_kind::require_precondition:
      break;
  }
  rule.value = std::string(spec.value);
  out.rule = std::move(rule);
  return out;
}

rule_result parse_path_rule(std::string_view text) {
  std::string_view rest = text;
  const std::string_view kind_word = next_word(rest);
  rule_spec spec;
  spec.kind = kind_word;
  const std::optional<rule_kind> kind = parse_rule_kind(kind_word);
  if (!kind) return make_path_rule(spec);
  if (kind == rule_kind::redirect) {
    const std::string_view code_word = next_word(rest);
    std::int64_t code = 0;
    bool digits = !code_word.empty() && code_word.size() <= 3;
    for (char c : code_word) {
      digits = digits && core::syntax::is_digit(c);
      if (digits) code = code * 10 + (c - '0');
    }
    if (!digits) {
      rule_result out;
      out.error = "redirect: expected redirect CODE PATH TARGET, e.g. redirect 301 /old /new";
      return out;
    }
    spec.code = code;
  }
  spec.path = next_word(rest);
  if (kind == rule_kind::early_hints) {
    spec.value = core::syntax::trim_ows(rest);
  } else {
    if (kind == rule_kind::redirect || kind == rule_kind::blocked) spec.value = next_word(rest);
    if (!core::syntax::trim_ows(rest).empty()) {
      rule_result out;
      out.error = fail(kind_word, "unexpected \"" + std::string(core::syntax::trim_ows(rest)) +
                                      "\" after the rule");
      return out;
    }
  }
  if ((*kind == rule_kind::redirect || *kind == rule_kind::blocked) && spec.value.empty()) {
    rule_result out;
    out.error = *kind == rule_kind::redirect
                    ? "redirect: expected redirect CODE PATH TARGET, e.g. redirect 301 /old /new"
                    : "blocked: expected blocked PATH ENTITY-URI";
    return out;
  }
  return make_path_rule(spec);
}

void path_rules::add(path_rule rule) {
  if (rule.kind == rule_kind::early_hints) early_hints_ = true;
  rules_.push_back(std::move(rule));
}

rule_match path_rules::match(const core::safe_path& request_path) const {
  rule_match out;
  for (const path_rule& rule : rules_) {
    if (!rule.matches(request_path)) continue;
    if (answers(rule.kind)) {
      if (out.answer == nullptr) out.answer = &rule;
    } else if (rule.kind == rule_kind::require_precondition) {
      out.require_precondition = true;
    } else {
      out.early_hints = true;
    }
  }
  return out;
}

std::optional<server::interim_response> path_rules::early_hints(
    const core::safe_path& request_path) const {
  if (!early_hints_) return std::nullopt;
  std::optional<server::interim_response> out;
  for (const path_rule& rule : rules_) {
    if (rule.kind != rule_kind::early_hints || !rule.matches(request_path)) continue;
    if (!out) out.emplace();  // status 103 (RFC 8297 §2)
    out->fields.add("Link", rule.value);
  }
  return out;
}

std::unique_ptr<server::resource> make_rule_resource(const path_rule& answer,
                                                     server::method_set methods) {
  return std::make_unique<rule_resource>(answer, methods);
}

std::unique_ptr<server::resource> requiring_precondition(std::unique_ptr<server::resource> inner) {
  return std::make_unique<precondition_resource>(std::move(inner));
}

}  // namespace herald::handlers
