#pragma once
// How the CLI decides on colour and styles text: colour on a terminal, none when piped, none
// when NO_COLOR is set (https://no-color.org), unless --color says otherwise.

#include <fmt/color.h>

#include <string>
#include <string_view>

namespace herald::cli {

enum class color_mode { automatic, always, never };

// Whether output to `fd` gets colour under `mode`.
bool use_color(color_mode mode, int fd);

// The colour of a status code's class: 1xx cyan, 2xx green, 3xx blue, 4xx yellow, 5xx red.
fmt::text_style status_style(int code);

class painter {
 public:
  explicit painter(bool enabled) : enabled_(enabled) {}
  std::string operator()(fmt::text_style style, std::string_view text) const;
  bool enabled() const { return enabled_; }

 private:
  bool enabled_;
};

}  // namespace herald::cli
