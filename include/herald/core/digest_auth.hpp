#pragma once
// HTTP Digest access authentication (RFC 7616): the response a client computes from a
// challenge, and a server recomputes to check it. Hashes come from OpenSSL.
//
//   A1       = username ":" realm ":" password            (algorithm without "-sess")
//            = H(username ":" realm ":" password) ":" nonce ":" cnonce   ("-sess")
//   A2       = method ":" uri                               (qop "auth" or none)
//            = method ":" uri ":" H(entity-body)           (qop "auth-int")
//   response = H(H(A1) ":" nonce ":" nc ":" cnonce ":" qop ":" H(A2))   (with qop)
//            = H(H(A1) ":" nonce ":" H(A2))                               (RFC 2069, no qop)

#include <optional>
#include <string>
#include <string_view>

namespace herald::core {

// The lowercase hex digest of `text` under a Digest algorithm name: MD5, SHA-256,
// SHA-512-256 (RFC 7616 §3.2) and SHA-512 (which httpbin accepts), each optionally with
// "-sess" (ignored here); case-insensitive. nullopt for another algorithm.
std::optional<std::string> digest_hash(std::string_view algorithm, std::string_view text);

struct digest_input {
  std::string_view algorithm = "MD5";
  std::string_view username;
  std::string_view realm;
  std::string_view password;
  std::string_view nonce;
  std::string_view cnonce;
  std::string_view nc = "00000001";
  std::string_view qop;  // "auth", "auth-int" or "" for RFC 2069's form
  std::string_view method;
  std::string_view uri;
  std::string_view body;  // for auth-int
};

// The `response` parameter, or nullopt for an unknown algorithm.
std::optional<std::string> digest_response(const digest_input& in);

}  // namespace herald::core
