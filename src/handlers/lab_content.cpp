// The lab's fixed content: httpbin's samples (same shapes, so that client tests written against
// httpbin keep passing) and small images of each format /image negotiates.

#include <array>
#include <cstdint>
#include <zlib.h>

#include <herald/core/form.hpp>

#include "handlers/lab_parts.hpp"

namespace herald::handlers::lab_detail {

std::string_view sample_html() {
  return R"(<!DOCTYPE html>
<html>
  <head>
  </head>
  <body>
      <h1>Herman Melville - Moby-Dick</h1>

      <div>
        <p>
          Availing himself of the mild, summer-cool weather that now reigned in these latitudes, and in preparation for the peculiarly active pursuits shortly to be anticipated, Perth, the begrimed, blistered old blacksmith, had not removed his portable forge to the hold again, after concluding his contributory work for Ahab's leg, but still retained it on deck, fast lashed to ringbolts by the foremast; being now almost incessantly invoked by the headsmen, and harpooneers, and bowsmen to do some little job for them; altering, or repairing, or new shaping their various weapons and boat furniture.
        </p>
      </div>
  </body>
</html>)";
}

std::string_view sample_json() {
  return R"({
  "slideshow": {
    "author": "Yours Truly",
    "date": "date of publication",
    "slides": [
      {
        "title": "Wake up to WonderWidgets!",
        "type": "all"
      },
      {
        "items": [
          "Why <em>WonderWidgets</em> are great",
          "Who <em>buys</em> WonderWidgets"
        ],
        "title": "Overview",
        "type": "all"
      }
    ],
    "title": "Sample Slide Show"
  }
}
)";
}

std::string_view sample_xml() {
  return R"(<?xml version='1.0' encoding='us-ascii'?>

<!--  A SAMPLE set of slides  -->

<slideshow
    title="Sample Slide Show"
    date="Date of publication"
    author="Yours Truly"
    >

    <!-- TITLE SLIDE -->
    <slide type="all">
      <title>Wake up to WonderWidgets!</title>
    </slide>

    <!-- OVERVIEW -->
    <slide type="all">
        <title>Overview</title>
        <item>Why <em>WonderWidgets</em> are great</item>
        <item/>
        <item>Who <em>buys</em> WonderWidgets</item>
    </slide>

</slideshow>)";
}

std::string_view sample_utf8() {
  return R"(<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>UTF-8 encoded sample</title></head>
<body>
<h1>Unicode Demo</h1>
<p>Mathematics: ∮ E⋅da = Q, n → ∞, ∑ f(i) = ∏ g(i), ∀x∈ℝ: ⌈x⌉ = −⌊−x⌋</p>
<p>Greek: Σὲ γνωρίζω ἀπὸ τὴν κόψη τοῦ σπαθιοῦ τὴν τρομερή</p>
<p>Russian: Зарегистрируйтесь сейчас на Десятую Международную Конференцию</p>
<p>Chinese: 超文本传输协议的状态码</p>
<p>Japanese: いろはにほへと ちりぬるを</p>
<p>Thai: ๏ แผ่นดินฮั่นเสื่อมโทรมแสนสังเวช</p>
<p>Emoji: 🐍 🦀 ☕</p>
<p>Box drawing: ╔══╦══╗ ║  ║  ║ ╚══╩══╝</p>
</body>
</html>
)";
}

std::string_view robots_txt() { return "User-agent: *\nDisallow: /deny\n"; }

std::string_view deny_text() {
  return R"(
          .-''''''-.
        .' _      _ '.
       /   O      O   \
      :                :
      |                |
      :       __       :
       \  .-"`  `"-.  /
        '.          .'
          '-......-'
     YOU SHOULDN'T BE HERE
)";
}

std::string_view teapot_text() {
  return R"(
    -=[ teapot ]=-

       _...._
     .'  _ _ `.
    | ."` ^ `". _,
    \_;`"---"`|//
      |       ;/
      \_     _/
        `"""`
)";
}

namespace {

void append_be32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}

// A PNG chunk (ISO/IEC 15948 §5.3): length, type, data, CRC-32 of type and data.
void append_png_chunk(std::string& out, std::string_view type, std::string_view data) {
  append_be32(out, static_cast<std::uint32_t>(data.size()));
  std::string typed = std::string(type) + std::string(data);
  out += typed;
  append_be32(out, static_cast<std::uint32_t>(
                       crc32(0, reinterpret_cast<const Bytef*>(typed.data()),
                             static_cast<uInt>(typed.size()))));
}

// A 16×16 truecolour PNG of herald's blue, built rather than stored.
std::string make_png() {
  constexpr int side = 16;
  std::string header;
  append_be32(header, side);
  append_be32(header, side);
  header += std::string("\x08\x02\x00\x00\x00", 5);  // 8 bits, RGB, deflate, no filter, no interlace
  std::string rows;
  for (int y = 0; y < side; ++y) {
    rows += '\0';  // filter type: none
    for (int x = 0; x < side; ++x) rows += "\x2a\x6f\x97";
  }
  std::string packed(compressBound(static_cast<uLong>(rows.size())), '\0');
  uLongf packed_size = static_cast<uLongf>(packed.size());
  compress(reinterpret_cast<Bytef*>(packed.data()), &packed_size,
           reinterpret_cast<const Bytef*>(rows.data()), static_cast<uLong>(rows.size()));
  packed.resize(packed_size);
  std::string png("\x89PNG\r\n\x1a\n", 8);
  append_png_chunk(png, "IHDR", header);
  append_png_chunk(png, "IDAT", packed);
  append_png_chunk(png, "IEND", {});
  return png;
}

// The smallest encodings browsers accept: a 1×1 lossless WebP and a 1×1 baseline JPEG.
constexpr std::string_view webp_base64 = "UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==";
constexpr std::string_view jpeg_base64 =
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////"
    "////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQAB"
    "PxA=";

constexpr std::string_view svg =
    R"(<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" viewBox="0 0 100 100">
  <rect width="100" height="100" rx="12" fill="#2a6f97"/>
  <text x="50" y="62" font-family="sans-serif" font-size="36" fill="#fff" text-anchor="middle">418</text>
</svg>
)";

}  // namespace

std::span<const image> images() {
  static const std::array<image, 4> all{{
      {"image/png", "png", make_png()},
      {"image/jpeg", "jpeg", *core::base64_decode(jpeg_base64, false)},
      {"image/webp", "webp", *core::base64_decode(webp_base64, false)},
      {"image/svg+xml", "svg", std::string(svg)},
  }};
  return all;
}

}  // namespace herald::handlers::lab_detail
