#pragma once
// multipart/form-data content (RFC 7578, over RFC 2046 §5.1.1): what an HTML form with files
// sends. Each part has a Content-Disposition of `form-data` with a `name` and, for a file, a
// `filename`.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::core {

struct form_part {
  std::string name;
  std::optional<std::string> filename;  // present for a file
  std::string content_type;             // "" when the part has none (text/plain is implied)
  std::string_view content;             // views into the parsed body
};

// The parts of `body` delimited by `boundary` (1 to 70 characters, RFC 2046 §5.1.1), in
// order; the preamble and epilogue are ignored. nullopt when the body is not multipart with
// that boundary: no close delimiter, a part without a form-data Content-Disposition naming it,
// a malformed header line.
std::optional<std::vector<form_part>> parse_multipart_form(std::string_view body,
                                                           std::string_view boundary);

}  // namespace herald::core
