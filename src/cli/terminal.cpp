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

fmt::text_style status_style(int code) {
  switch (code / 100) {
    case 1: return fmt::fg(fmt::terminal_color::cyan) | fmt::emphasis::bold;
    case 2: return fmt::fg(fmt::terminal_color::green) | fmt::emphasis::bold;
    case 3: return fmt::fg(fmt::terminal_color::blue) | fmt::emphasis::bold;
    case 4: return fmt::fg(fmt::terminal_color::yellow) | fmt::emphasis::bold;
    default: return fmt::fg(fmt::terminal_color::red) | fmt::emphasis::bold;
  }
}

}  // namespace herald::cli
