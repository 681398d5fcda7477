#include "cli/terminal.hpp"

#include <unistd.h>

#include <cstdlib>

namespace herald::cli {

bool use_color(color_mode mode, int fd) {
  switch (mode) {
    case color_mode::always: return true;
    case color_mode::never: return false;
    case color_mode::automatic: break;
  }
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && *no_color != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::string_view(term) == "dumb") return false;
  return isatty(fd) == 1;
}

std::string painter::operator()(fmt::text_style style, std::string_view text) const {
  if (!enabled_) return std::string(text);
  return fmt::format(style, "{}", text);
}

}  // namespace herald::cli
