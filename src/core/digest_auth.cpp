#include <herald/core/digest_auth.hpp>

#include <initializer_list>
#include <openssl/evp.h>

#include <herald/core/syntax.hpp>

namespace herald::core {

std::optional<std::string> digest_hash(std::string_view algorithm, std::string_view text) {
  if (algorithm.size() > 5 && syntax::iequals(algorithm.substr(algorithm.size() - 5), "-sess"))
    algorithm.remove_suffix(5);
  const EVP_MD* md = nullptr;
  if (syntax::iequals(algorithm, "MD5")) md = EVP_md5();
  else if (syntax::iequals(algorithm, "SHA-256")) md = EVP_sha256();
  else if (syntax::iequals(algorithm, "SHA-512-256")) md = EVP_sha512_256();
  else if (syntax::iequals(algorithm, "SHA-512")) md = EVP_sha512();
  if (md == nullptr) return std::nullopt;
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  if (EVP_Digest(text.data(), text.size(), out, &size, md, nullptr) != 1) return std::nullopt;
  static constexpr char hex[] = "0123456789abcdef";
  std::string text_out;
  text_out.reserve(2 * size);
  for (unsigned i = 0; i < size; ++i) {
    text_out += hex[out[i] >> 4];
    text_out += hex[out[i] & 0xF];
  }
  return text_out;
}

std::optional<std::string> digest_response(const digest_input& in) {
  auto h = [&](const std::string& text) { return digest_hash(in.algorithm, text); };
  auto join = [](std::initializer_list<std::string_view> parts) {
    std::string out;
    bool first = true;
    for (std::string_view p : parts) {
      if (!first) out += ':';
      out += p;
      first = false;
    }
    return out;
  };
  std::optional<std::string> ha1 = h(join({in.username, in.realm, in.password}));
  if (!ha1) return std::nullopt;
  const bool session = in.algorithm.size() > 5 &&
                       syntax::iequals(in.algorithm.substr(in.algorithm.size() - 5), "-sess");
  if (session) ha1 = h(join({*ha1, in.nonce, in.cnonce}));
  std::string a2 = join({in.method, in.uri});
  if (syntax::iequals(in.qop, "auth-int")) {
    a2 += ':';
    a2 += *h(std::string(in.body));
  }
  std::string ha2 = *h(a2);
  if (in.qop.empty()) return h(join({*ha1, in.nonce, ha2}));
  return h(join({*ha1, in.nonce, in.nc, in.cnonce, in.qop, ha2}));
}

}  // namespace herald::core
