// Invariants of the multipart/form-data parser:
// - it never crashes, for any body and any boundary (the input's first byte sets its length);
// - every part it returns is named and its content lies inside the body;
// - parts written back with the same boundary parse to the same names, filenames and content.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <herald/core/multipart.hpp>

#include <herald/core/syntax.hpp>

#include "fuzz_support.hpp"

namespace {

using namespace herald::core;
using herald::fuzz::check;
using herald::fuzz::points_into;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t boundary_size = std::min<std::size_t>(data[0] % 72, size - 1);
  const std::string_view boundary(reinterpret_cast<const char*>(data + 1), boundary_size);
  const std::string_view body(reinterpret_cast<const char*>(data + 1 + boundary_size),
                              size - 1 - boundary_size);
  const auto parts = parse_multipart_form(body, boundary);
  if (!parts) return 0;
  std::string rewritten;
  for (const form_part& p : *parts) {
    check(points_into(p.content, body));
    rewritten += "--" + std::string(boundary) + "\r\nContent-Disposition: form-data; name=" +
                 syntax::quote(p.name);
    if (p.filename) rewritten += "; filename=" + syntax::quote(*p.filename);
    rewritten += "\r\n\r\n" + std::string(p.content) + "\r\n";
  }
  rewritten += "--" + std::string(boundary) + "--\r\n";
  const auto again = parse_multipart_form(rewritten, boundary);
  check(again.has_value() && again->size() == parts->size());
  for (std::size_t i = 0; i < parts->size(); ++i) {
    check((*again)[i].name == (*parts)[i].name);
    check((*again)[i].filename == (*parts)[i].filename);
    check((*again)[i].content == (*parts)[i].content);
  }
  return 0;
}
