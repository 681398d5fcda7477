#include <herald/core/auth_params.hpp>

#include <herald/core/syntax.hpp>

namespace herald::core {

std::optional<auth_param_list> parse_auth_params(std::string_view in) {
  auth_param_list out;
  while (true) {
    syntax::skip_ows(in);
    while (!in.empty() && in.front() == ',') {
      in.remove_prefix(1);
      syntax::skip_ows(in);
    }
    if (in.empty()) return out;
    std::string_view name = syntax::consume_token(in);
    syntax::skip_ows(in);
    if (name.empty() || in.empty() || in.front() != '=') return std::nullopt;
    in.remove_prefix(1);
    syntax::skip_ows(in);
    std::string value;
    if (!in.empty() && in.front() == '"') {
      std::optional<std::string> quoted = syntax::consume_quoted_string(in);
      if (!quoted) return std::nullopt;
      value = std::move(*quoted);
    } else {
      std::string_view token = syntax::consume_token(in);
      if (token.empty()) return std::nullopt;
      value = std::string(token);
    }
    out.emplace_back(std::string(name), std::move(value));
    syntax::skip_ows(in);
    if (!in.empty() && in.front() != ',') return std::nullopt;
  }
}

const std::string* challenge::param(std::string_view name) const {
  for (const auto& [n, v] : params)
    if (syntax::iequals(n, name)) return &v;
  return nullptr;
}

namespace {

constexpr bool is_token68_char(char c) {
  return syntax::is_alpha(c) || syntax::is_digit(c) || c == '-' || c == '.' || c == '_' ||
         c == '~' || c == '+' || c == '/';
}

// Whether `in` starts with `token BWS "="` but not `token68` followed by "=" padding alone:
// that is, whether the next element is an auth-param.
bool starts_param(std::string_view in) {
  std::string_view name = syntax::consume_token(in);
  if (name.empty()) return false;
  syntax::skip_ows(in);
  if (!in.starts_with('=')) return false;
  in.remove_prefix(1);
  syntax::skip_ows(in);
  // "abc==" is a token68, "abc=def" or "abc=\"x\"" a parameter.
  return !in.empty() && in.front() != '=' && in.front() != ',';
}

}  // namespace

std::optional<std::vector<challenge>> parse_challenges(std::string_view in) {
  std::vector<challenge> out;
  while (true) {
    syntax::skip_ows(in);
    while (in.starts_with(',')) {
      in.remove_prefix(1);
      syntax::skip_ows(in);
    }
    if (in.empty()) return out;
    challenge c;
    c.scheme = std::string(syntax::consume_token(in));
    if (c.scheme.empty()) return std::nullopt;
    if (!in.empty() && in.front() != ' ' && in.front() != ',') return std::nullopt;
    syntax::skip_ows(in);
    if (!in.empty() && in.front() != ',' && !starts_param(in)) {
      std::size_t n = 0;
      while (n < in.size() && is_token68_char(in[n])) ++n;
      while (n < in.size() && in[n] == '=') ++n;
      if (n == 0) return std::nullopt;
      c.token68 = std::string(in.substr(0, n));
      in.remove_prefix(n);
      syntax::skip_ows(in);
      if (!in.empty() && in.front() != ',') return std::nullopt;
    }
    // Parameters until the next element that is not one: the next challenge's scheme.
    while (true) {
      std::string_view rest = in;
      syntax::skip_ows(rest);
      while (rest.starts_with(',')) {
        rest.remove_prefix(1);
        syntax::skip_ows(rest);
      }
      if (!c.token68.empty() || !starts_param(rest)) break;
      in = rest;
      std::string_view name = syntax::consume_token(in);
      syntax::skip_ows(in);
      in.remove_prefix(1);  // '='
      syntax::skip_ows(in);
      std::string value;
      if (in.starts_with('"')) {
        std::optional<std::string> quoted = syntax::consume_quoted_string(in);
        if (!quoted) return std::nullopt;
        value = std::move(*quoted);
      } else {
        value = std::string(syntax::consume_token(in));
        if (value.empty()) return std::nullopt;
      }
      c.params.emplace_back(std::string(name), std::move(value));
      syntax::skip_ows(in);
      if (!in.empty() && in.front() != ',') return std::nullopt;
    }
    out.push_back(std::move(c));
  }
}

}  // namespace herald::core
