#include <herald/core/form.hpp>

#include <openssl/evp.h>

#include <herald/core/syntax.hpp>
#include <herald/core/uri.hpp>

namespace herald::core {

std::vector<std::pair<std::string, std::string>> parse_form_urlencoded(std::string_view text) {
  auto decode = [](std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '+') out += ' ';
      else if (s[i] == '%' && uri_chars::is_pct_encoded(s, i)) {
        out += uri_chars::pct_decoded(s, i);
        i += 2;
      } else {
        out += s[i];
      }
    }
    return out;
  };
  std::vector<std::pair<std::string, std::string>> pairs;
  while (!text.empty()) {
    std::size_t amp = text.find('&');
    std::string_view item = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view{} : text.substr(amp + 1);
    if (item.empty()) continue;
    std::size_t eq = item.find('=');
    pairs.emplace_back(decode(item.substr(0, eq)),
                       eq == std::string_view::npos ? std::string() : decode(item.substr(eq + 1)));
  }
  return pairs;
}

std::optional<std::string> base64_decode(std::string_view text, bool url_safe) {
  std::string standard(text);
  // Each alphabet has its own two last digits (RFC 4648 §4, §5); the other's are refused.
  const char digit62 = url_safe ? '-' : '+', digit63 = url_safe ? '_' : '/';
  for (char& ch : standard) {
    if (ch == digit62) ch = '+';
    else if (ch == digit63) ch = '/';
    else if (!(syntax::is_alpha(ch) || syntax::is_digit(ch) || ch == '=')) return std::nullopt;
  }
  while (standard.size() % 4 != 0) standard += '=';
  std::size_t padding = 0;
  for (std::size_t i = standard.size(); i > 0 && standard[i - 1] == '='; --i) ++padding;
  if (padding > 2 || standard.find('=') < standard.size() - padding) return std::nullopt;
  std::string out(standard.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(standard.data()),
                          static_cast<int>(standard.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding as zero octets.
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

std::string base64_encode(std::string_view octets) {
  std::string out((octets.size() + 2) / 3 * 4 + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(octets.data()),
                          static_cast<int>(octets.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

}  // namespace herald::core
