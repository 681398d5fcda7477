#pragma once
// Maps the path of an origin-form request target to a file path relative to a document root,
// such that the result can never name anything outside the root.
//
// map_safe_path is a pure function over text: it makes no filesystem call. It therefore cannot
// see symbolic links, hard links or mount points: a symlink inside the root that points outside
// it is the file handler's concern (open with O_NOFOLLOW / openat2 RESOLVE_BENEATH or check the
// resolved path). It targets POSIX filesystems: Windows device names (NUL, CON), alternate data
// streams (':') and trailing dots are not handled. Hidden files (".git") are allowed here; a
// policy that refuses them belongs to the handler.
//
// The input is the raw, still percent-encoded path (request_target::path of an origin-form
// target, without the query). The steps, in order:
// 1. The path must start with '/' and hold only pchar / "/" (RFC 3986 §3.3); a raw backslash
//    and raw control characters get reasons of their own.
// 2. Each segment is percent-decoded. Rejected: malformed escapes, %00, %2F (it would let one
//    segment hold a '/'), %5C (a Windows separator), control characters (C0, DEL and C1), and
//    bytes that are not well-formed UTF-8 (overlong forms such as %C0%AE for '.', surrogates,
//    code points above U+10FFFF).
// 3. Dot segments are removed on the decoded segments, so "%2e%2e" is a "..". Empty segments
//    ("//") are dropped. A ".." that would climb above the root is rejected, as nginx does with
//    a 400, rather than clamped at the root as Go's path.Clean does: such a request is an attack
//    or a broken link, and answering it with the root's content would hide either.

#include <cstdint>
#include <string>
#include <string_view>

namespace herald::core {

enum class safe_path_error : std::uint8_t {
  none,
  not_absolute,              // empty, or not starting with '/'
  invalid_character,         // a raw octet outside pchar / "/" (space, '"', non-ASCII, ...)
  invalid_percent_encoding,  // '%' not followed by two hex digits
  encoded_nul,               // %00
  encoded_slash,             // %2F or %2f
  backslash,                 // '\' raw or as %5C
  control_character,         // U+0001-U+001F, U+007F, U+0080-U+009F, raw or encoded
  invalid_utf8,              // decoded octets that are not well-formed UTF-8 (RFC 3629 §4)
  escapes_root,              // a ".." with nothing left to remove
};

// One English sentence, e.g. "path climbs above the document root".
std::string_view describe(safe_path_error e);

struct safe_path {
  // Decoded segments joined by '/': no leading '/', no empty, "." or ".." segment, no NUL or
  // backslash. Empty for the root itself. Append it to the root with a '/' between.
  std::string relative;
  // The request path named a directory: it ended with '/' (or with a "." or ".." segment,
  // which RFC 3986 §5.2.4 also turns into a trailing '/'). The static handler redirects
  // "/dir" to "/dir/" when this is false for a directory.
  bool directory = false;
};

// `path` is meaningful only when `error` is safe_path_error::none.
struct safe_path_result {
  safe_path path;
  safe_path_error error = safe_path_error::none;
  explicit operator bool() const { return error == safe_path_error::none; }
};

// One allocation: the result string, reserved at the input's length.
safe_path_result map_safe_path(std::string_view raw_path);

}  // namespace herald::core
