#include "http1/scan.hpp"

#include <immintrin.h>

#include <array>
#include <cstdint>

namespace herald::http1::scan {

namespace {

constexpr std::array<bool, 256> make_field_value_table() {
  std::array<bool, 256> allowed{};
  for (int c = 0; c < 256; ++c) allowed[static_cast<std::size_t>(c)] = (c >= 0x20 && c != 0x7f) || c == '\t';
  return allowed;
}
constexpr auto field_value_allowed = make_field_value_table();

using scanner = std::size_t (*)(std::string_view);

scanner pick_field_value_scanner() {
  return has_avx2() ? field_value_end_avx2 : field_value_end_scalar;
}
const scanner field_value_scanner = pick_field_value_scanner();

}  // namespace

bool has_avx2() {
  static const bool supported = __builtin_cpu_supports("avx2") != 0;
  return supported;
}

std::size_t field_value_end_scalar(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i)
    if (!field_value_allowed[static_cast<unsigned char>(s[i])]) return i;
  return s.size();
}

__attribute__((target("avx2"))) std::size_t field_value_end_avx2(std::string_view s) {
  const char* p = s.data();
  std::size_t i = 0;
  const __m256i space = _mm256_set1_epi8(0x20);
  const __m256i tab = _mm256_set1_epi8('\t');
  const __m256i del = _mm256_set1_epi8(0x7f);
  for (; i + 32 <= s.size(); i += 32) {
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
    // Bytes below 0x20 as unsigned: max(v, 0x20) != v. Bytes >= 0x80 are obs-text, allowed.
    __m256i below_space = _mm256_xor_si256(_mm256_max_epu8(v, space), v);
    __m256i control = _mm256_andnot_si256(
        _mm256_cmpeq_epi8(v, tab),
        _mm256_xor_si256(_mm256_cmpeq_epi8(below_space, _mm256_setzero_si256()),
                         _mm256_set1_epi8(-1)));
    __m256i bad = _mm256_or_si256(control, _mm256_cmpeq_epi8(v, del));
    auto mask = static_cast<std::uint32_t>(_mm256_movemask_epi8(bad));
    if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(mask));
  }
  return i + field_value_end_scalar(s.substr(i));
}

std::size_t field_value_end(std::string_view s) { return field_value_scanner(s); }

}  // namespace herald::http1::scan
