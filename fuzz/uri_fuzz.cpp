// Invariants of the URI functions:
// - a reference that parses recomposes to exactly the input, and that text parses to the same
//   components, all of them views into the input;
// - normalisation is idempotent, and its output parses;
// - resolve never fails for a base with a scheme; its result parses as a URI, keeps the
//   reference's fragment, and, where RFC 3986 §5.2.2 removes dot segments, has no ".." segment
//   and no "." segment except the "/." guard in front of a "//" path without authority;
// - percent_decode succeeds exactly when every '%' starts a triplet, and shrinks by two octets
//   per triplet.
// The input is used as a reference against fixed bases; when it holds a '\n' (never valid in a
// URI), the part before is the base and the part after the reference.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <herald/core/uri.hpp>

#include "fuzz_support.hpp"

namespace {

using namespace herald::core;
using herald::fuzz::check;
using herald::fuzz::points_into;

// No ".." segment; a "." segment only as the guard "/.//" of a path without authority.
void check_dot_free(const uri_reference& u) {
  std::string_view path = u.path;
  if (!u.authority && path.starts_with("/.//")) path.remove_prefix(2);
  std::size_t begin = 0;
  while (begin <= path.size()) {
    std::size_t end = path.find('/', begin);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(begin, end - begin);
    check(segment != "." && segment != "..");
    begin = end + 1;
  }
}

void check_parse(std::string_view text) {
  const uri_parse_result r = parse_uri_reference(text);
  check(static_cast<bool>(r) == (r.error == uri_error::none));
  check(!describe(r.error).empty());
  if (!r) return;
  const uri_reference& u = r.uri;
  check(points_into(u.scheme, text) && points_into(u.path, text) && points_into(u.query, text) &&
        points_into(u.fragment, text));
  if (u.authority) {
    check(points_into(u.authority->userinfo, text) && points_into(u.authority->host, text) &&
          points_into(u.authority->port_text, text));
    check(u.authority->port.has_value() ==
          (u.authority->port_text && !u.authority->port_text->empty()));
  }

  const std::string again = recompose(u);
  check(again == text);
  const uri_parse_result reparsed = parse_uri_reference(again);
  check(reparsed && reparsed.uri == u);

  const std::string normal = normalize(u);
  const std::optional<std::string> twice = normalize(normal);
  check(twice && *twice == normal);

  check(parse_uri(text).error == (u.scheme ? uri_error::none : uri_error::missing_scheme));
}

void check_resolve(const uri_reference& base, std::string_view reference_text) {
  const uri_parse_result ref = parse_uri_reference(reference_text);
  if (!ref) {
    check(!resolve(recompose(base), reference_text));
    return;
  }
  const std::optional<std::string> target = resolve(base, ref.uri);
  check(target.has_value());
  const uri_parse_result t = parse_uri(*target);
  check(static_cast<bool>(t));
  check(t.uri.fragment == ref.uri.fragment);
  if (ref.uri.scheme || ref.uri.authority || !ref.uri.path.empty()) check_dot_free(t.uri);
}

void check_percent_decode(std::string_view text) {
  std::size_t triplets = 0;
  bool well_formed = true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') continue;
    const auto hex = [](char c) {
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    };
    if (i + 2 >= text.size() || !hex(text[i + 1]) || !hex(text[i + 2])) {
      well_formed = false;
      break;
    }
    ++triplets;
    i += 2;
  }
  const std::optional<std::string> decoded = percent_decode(text);
  check(decoded.has_value() == well_formed);
  if (decoded) check(decoded->size() == text.size() - 2 * triplets);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_percent_decode(input);

  if (const std::size_t newline = input.find('\n'); newline != std::string_view::npos) {
    const std::string_view base_text = input.substr(0, newline);
    const std::string_view reference_text = input.substr(newline + 1);
    check_parse(base_text);
    check_parse(reference_text);
    const uri_parse_result base = parse_uri(base_text);
    if (base) check_resolve(base.uri, reference_text);
    return 0;
  }

  check_parse(input);
  static constexpr std::string_view bases[] = {"http://a/b/c/d;p?q", "a:/b", "http://a", "foo:x/y",
                                               "http://u@[::1]:8/"};
  for (std::string_view base_text : bases) check_resolve(parse_uri(base_text).uri, input);
  return 0;
}
