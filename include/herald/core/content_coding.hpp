#pragma once
// Content codings (RFC 9110 §8.4.1): gzip, deflate (the zlib format, RFC 9110 §8.4.1.2, not
// raw deflate), br (RFC 7932) and zstd (RFC 8878), over zlib, libbrotli and libzstd. Whole
// buffers in and out: the content herald codes is small (lab responses), and a decoder bounds
// what it produces so that a small bomb cannot exhaust memory.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace herald::core {

enum class content_coding : unsigned char { identity, gzip, deflate, br, zstd };

// The coding a token of Content-Encoding or Accept-Encoding names (case-insensitive; "x-gzip"
// is gzip, RFC 9110 §8.4.1.3), or nullopt for one herald does not know.
std::optional<content_coding> content_coding_from_token(std::string_view token);
std::string_view token(content_coding c);

std::string encode(content_coding c, std::string_view content);

// The decoded content, or nullopt when `coded` is not valid in that coding, is truncated, or
// would decode to more than `max_size` octets.
std::optional<std::string> decode(content_coding c, std::string_view coded, std::size_t max_size);

}  // namespace herald::core
