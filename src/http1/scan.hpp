#pragma once
// Byte scanning for the parser's hot loops, with an AVX2 path where the CPU has one and a
// scalar path that gives identical results (both are exposed so tests can compare them).
// picohttpparser's technique: find the first byte outside a set of ranges, 32 bytes at a time.

#include <cstddef>
#include <string_view>

namespace herald::http1::scan {

// The offset of the first byte of `s` that cannot appear in a field value — a control
// character other than HTAB, or DEL (RFC 9110 §5.5) — or s.size(). In a well-formed line that
// byte is the CR of its CRLF.
std::size_t field_value_end(std::string_view s);

std::size_t field_value_end_scalar(std::string_view s);
std::size_t field_value_end_avx2(std::string_view s);  // only where has_avx2()
bool has_avx2();

}  // namespace herald::http1::scan
