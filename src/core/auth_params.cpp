#include <herald/core/auth_params.hpp>

#include <herald/core/syntax.hpp>

namespace herald::core {

std::optional<std::vector<std::pair<std::string, std::string>>> parse_auth_params(
    std::string_view in) {
  std::vector<std::pair<std::string, std::string>> out;
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

}  // namespace herald::core
