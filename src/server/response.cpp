#include <cerrno>
#include <unistd.h>

#include <herald/server/response.hpp>

namespace herald::server {

std::size_t read_file_part(const file_part& part, char* out) {
  const auto length = static_cast<std::size_t>(part.length);
  std::size_t done = 0;
  while (done < length) {
    const ssize_t n =
        ::pread(*part.fd, out + done, length - done, static_cast<off_t>(part.offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

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
