// Invariants of the media type, parameter and qvalue parsers:
// - a media type that parses has token type, subtype and parameter names, all viewing into the
//   input, no repeated parameter name, and is equivalent to itself;
// - its canonical form parses back to an equivalent value with the same canonical form;
// - parse_parameters, in either syntax, leaves a suffix of the input, and every parameter's
//   value matches its own unescaped text;
// - a qvalue that parses is 0..1000 and formats back ("0.xyz" or "1") to the same value.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <herald/core/media_type.hpp>
#include <herald/core/syntax.hpp>

#include "fuzz_support.hpp"

namespace {

using namespace herald::core;
using herald::fuzz::check;
using herald::fuzz::points_into;

void check_parameter(const parameter& p, std::string_view input) {
  check(syntax::is_token(p.name));
  check(points_into(p.name, input));
  check(points_into(p.value, input));
  check(p.quoted || syntax::is_token(p.value));
  std::string text = p.unescaped_value();
  check(p.value_equals(text));
  check(p.value_equals(text, true));
  check(parameters_match(p, p));
  check(p.has_escapes() == (text.size() != p.value.size()));
}

void check_media_type(std::string_view input) {
  const std::optional<media_type> m = parse_media_type(input);
  if (!m) return;
  check(syntax::is_token(m->type) && syntax::is_token(m->subtype));
  check(points_into(m->type, input) && points_into(m->subtype, input));
  check(!m->parameters.has_repeated_name());
  for (const parameter& p : m->parameters) check_parameter(p, input);
  check(equivalent(*m, *m));
  check(same_type(*m, *m));

  const std::string canonical = to_string(*m);
  const std::optional<media_type> again = parse_media_type(canonical);
  check(again.has_value());
  check(equivalent(*m, *again) && equivalent(*again, *m));
  check(to_string(*again) == canonical);
}

void check_parameters(std::string_view input, parameter_syntax syntax) {
  std::string_view rest = input;
  parameter_list list;
  if (!parse_parameters(rest, list, syntax)) return;
  check(rest.data() + rest.size() == input.data() + input.size());
  check(rest.size() <= input.size());
  for (const parameter& p : list) check_parameter(p, input);
}

void check_qvalue(std::string_view input) {
  const std::optional<qvalue> q = parse_qvalue(input);
  if (!q) return;
  check(*q <= qvalue_max);
  check(input.size() <= 5);
  std::string text = "0.000";
  if (*q == qvalue_max) {
    text = "1";
  } else {
    text[2] = static_cast<char>('0' + *q / 100);
    text[3] = static_cast<char>('0' + *q / 10 % 10);
    text[4] = static_cast<char>('0' + *q % 10);
  }
  check(parse_qvalue(text) == q);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_media_type(input);
  check_parameters(input, parameter_syntax::strict);
  check_parameters(input, parameter_syntax::bws_around_equals);
  check_qvalue(input);
  return 0;
}
