#include <herald/core/multipart.hpp>

#include <herald/core/media_type.hpp>
#include <herald/core/syntax.hpp>

namespace herald::core {

namespace {

constexpr std::string_view crlf = "\r\n";

// The Content-Disposition of one part: `form-data` and its parameters (RFC 7578 §4.2).
bool read_disposition(std::string_view value, form_part& part) {
  std::string_view type = syntax::consume_token(value);
  if (!syntax::iequals(type, "form-data")) return false;
  parameter_list params;
  if (!parse_parameters(value, params, parameter_syntax::bws_around_equals)) return false;
  if (!syntax::trim_ows(value).empty()) return false;
  const parameter* name = params.find("name");
  if (name == nullptr) return false;
  part.name = name->unescaped_value();
  if (const parameter* file = params.find("filename")) part.filename = file->unescaped_value();
  return true;
}

}  // namespace

std::optional<std::vector<form_part>> parse_multipart_form(std::string_view body,
                                                           std::string_view boundary) {
  if (boundary.empty() || boundary.size() > 70) return std::nullopt;
  const std::string delimiter = "--" + std::string(boundary);
  // The first delimiter starts the body or a line after the preamble.
  std::size_t at = body.starts_with(delimiter) ? 0 : body.find("\r\n" + delimiter);
  if (at == std::string_view::npos) return std::nullopt;
  if (at != 0 || !body.starts_with(delimiter)) at += crlf.size();
  std::vector<form_part> parts;
  const std::string next = "\r\n" + delimiter;
  while (true) {
    std::string_view rest = body.substr(at + delimiter.size());
    if (rest.starts_with("--")) return parts;  // the close delimiter; the epilogue follows
    // Transport padding (RFC 2046 §5.1.1: LWSP after the boundary), then the line's end.
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
    if (!rest.starts_with(crlf)) return std::nullopt;
    rest.remove_prefix(crlf.size());

    form_part part;
    bool named = false;
    while (!rest.starts_with(crlf)) {
      std::size_t end = rest.find(crlf);
      if (end == std::string_view::npos) return std::nullopt;
      std::string_view line = rest.substr(0, end);
      rest.remove_prefix(end + crlf.size());
      std::size_t colon = line.find(':');
      if (colon == std::string_view::npos || !syntax::is_token(line.substr(0, colon)))
        return std::nullopt;
      std::string_view name = line.substr(0, colon);
      std::string_view value = syntax::trim_ows(line.substr(colon + 1));
      if (syntax::iequals(name, "Content-Disposition")) {
        if (named || !read_disposition(value, part)) return std::nullopt;
        named = true;
      } else if (syntax::iequals(name, "Content-Type")) {
        part.content_type = std::string(value);
      }
    }
    if (!named) return std::nullopt;
    rest.remove_prefix(crlf.size());
    std::size_t end = rest.find(next);
    if (end == std::string_view::npos) return std::nullopt;
    part.content = rest.substr(0, end);
    parts.push_back(std::move(part));
    at = static_cast<std::size_t>(rest.data() - body.data()) + end + crlf.size();
  }
}

}  // namespace herald::core
