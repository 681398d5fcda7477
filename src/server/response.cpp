#include <herald/server/response.hpp>

namespace herald::server {

std::uint64_t content::size() const {
  std::uint64_t total = 0;
  for (const content_piece& p : pieces) {
    if (const auto* text = std::get_if<std::string>(&p))
      total += text->size();
    else if (const auto* shared = std::get_if<shared_text>(&p))
      total += shared->length;
    else
      total += std::get<file_part>(p).length;
  }
  return total;
}

void response::set_text(std::string text, std::string_view content_type) {
  // Most responses have no Content-Type yet, and then adding it is setting it, with the name
  // checked when compiled rather than on every call.
  if (fields.contains("Content-Type"))
    fields.set("Content-Type", content_type);
  else
    fields.add(core::field_name("Content-Type"), content_type);
  body.pieces.clear();
  if (!text.empty()) body.pieces.emplace_back(std::move(text));
}

}  // namespace herald::server
