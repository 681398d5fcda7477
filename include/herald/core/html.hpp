#pragma once
// Text placed into HTML that herald generates (error pages, redirect notes, 300 lists,
// directory listings): one escaping function, so no page can be forged by a crafted path.

#include <string>
#include <string_view>

namespace herald::core {

// Escapes &, <, >, " and ' so that `text` is safe in element content and quoted attributes.
std::string html_escape(std::string_view text);

}  // namespace herald::core
