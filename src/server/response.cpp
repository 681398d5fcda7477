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
  fields.set(core::field_name("Content-Type"), content_type);
  body.pieces.clear();
  if (!text.empty()) body.pieces.emplace_back(std::move(text));
}

}  // namespace herald::server
