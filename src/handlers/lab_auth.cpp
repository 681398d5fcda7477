// The lab's authentication endpoints: Basic (RFC 7617), Bearer (RFC 6750) and Digest
// (RFC 7616), each answering 401 with the challenge its scheme defines.

#include <chrono>
#include <fmt/format.h>
#include <openssl/rand.h>

#include <herald/core/auth_params.hpp>
#include <herald/core/digest_auth.hpp>
#include <herald/core/syntax.hpp>

#include <herald/core/form.hpp>

#include "handlers/lab_parts.hpp"

namespace herald::handlers::lab_detail {

namespace {

constexpr std::string_view realm = "herald lab";

std::optional<std::string_view> credentials(const call& c, std::string_view scheme) {
  std::optional<std::string_view> field = c.req.head.find("Authorization");
  if (!field) return std::nullopt;
  std::string_view value = core::syntax::trim_ows(*field);
  // RFC 9110 §11.4: the scheme is case-insensitive and followed by at least one space.
  if (value.size() <= scheme.size() || !core::syntax::iequals(value.substr(0, scheme.size()), scheme) ||
      value[scheme.size()] != ' ')
    return std::nullopt;
  return core::syntax::trim_ows(value.substr(scheme.size() + 1));
}

server::response unauthorized(std::string challenge, std::string_view detail) {
  server::response r = problem(401, detail);
  r.fields.set("WWW-Authenticate", challenge);
  return r;
}

// A nonce the lab can recognise as its own without keeping state: a time and a digest of it
// under a secret chosen at start.
std::string nonce_secret() {
  static const std::string secret = [] {
    unsigned char bytes[16];
    RAND_bytes(bytes, sizeof bytes);
    return std::string(reinterpret_cast<char*>(bytes), sizeof bytes);
  }();
  return secret;
}

std::string make_nonce() {
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  std::string stamp = fmt::format("{:016x}", now);
  return stamp + core::digest_hash("SHA-256", nonce_secret() + stamp)->substr(0, 32);
}

bool own_nonce(std::string_view nonce) {
  if (nonce.size() != 48) return false;
  std::string stamp(nonce.substr(0, 16));
  return nonce.substr(16) == core::digest_hash("SHA-256", nonce_secret() + stamp)->substr(0, 32);
}

}  // namespace

server::response basic_auth(const call& c, std::string_view user, std::string_view password,
                            bool hidden) {
  std::optional<std::string> decoded;
  if (std::optional<std::string_view> given = credentials(c, "Basic"))
    decoded = core::base64_decode(*given, false);
  if (decoded && *decoded == fmt::format("{}:{}", user, password))
    return json_response(200, json{{"authenticated", true}, {"user", std::string(user)}});
  // /hidden-basic-auth hides that credentials would help: 404, no challenge.
  if (hidden) return problem(404, "Nothing is here (the right credentials would show it).");
  return unauthorized(fmt::format(R"(Basic realm="{}", charset="UTF-8")", realm),
                      decoded ? "Those credentials are not the ones this URL names."
                              : "Send Basic credentials: the user and password in the URL.");
}

server::response bearer_auth(const call& c) {
  std::optional<std::string_view> token = credentials(c, "Bearer");
  if (token && !token->empty())
    return json_response(200, json{{"authenticated", true}, {"token", std::string(*token)}});
  // RFC 6750 §3: a request without a token gets the bare challenge, no error code.
  return unauthorized(fmt::format(R"(Bearer realm="{}")", realm),
                      "Send a token: Authorization: Bearer <token>.");
}

server::response digest_auth(const call& c, std::string_view qop, std::string_view user,
                             std::string_view password, std::string_view algorithm) {
  if (qop != "auth" && qop != "auth-int")
    return problem(400, "The qop must be auth or auth-int.");
  if (!core::digest_hash(algorithm, ""))
    return problem(400, "The algorithm must be MD5, SHA-256 or SHA-512-256, optionally -sess.");
  const std::string opaque = *core::digest_hash("MD5", nonce_secret() + "opaque");
  auto challenge = [&](bool stale) {
    return fmt::format(R"(Digest realm="{}", qop="{}", algorithm={}, nonce="{}", opaque="{}"{})",
                       realm, qop, algorithm, make_nonce(), opaque, stale ? ", stale=true" : "");
  };

  std::optional<std::string_view> given = credentials(c, "Digest");
  if (!given) return unauthorized(challenge(false), "Answer the Digest challenge.");
  auto params = core::parse_auth_params(*given);
  if (!params) return problem(400, "The Digest credentials do not parse (RFC 9110 §11.4).");
  auto get = [&](std::string_view name) -> std::string {
    for (const auto& [n, v] : *params)
      if (core::syntax::iequals(n, name)) return v;
    return {};
  };
  if (get("username") != user || get("realm") != realm || get("opaque") != opaque ||
      !core::syntax::iequals(get("algorithm").empty() ? "MD5" : get("algorithm"), algorithm) ||
      get("qop") != qop)
    return unauthorized(challenge(false), "Those credentials do not answer this challenge.");
  // RFC 7616 §3.4.6: the uri parameter names the request target.
  if (get("uri") != c.req.head.target)
    return problem(400, "The Digest uri parameter differs from the request target.");
  if (!own_nonce(get("nonce")))
    return unauthorized(challenge(true), "The nonce is not one this server gave.");

  const std::string nonce = get("nonce"), cnonce = get("cnonce"), nc = get("nc"), uri = get("uri");
  core::digest_input in;
  in.algorithm = algorithm;
  in.username = user;
  in.realm = realm;
  in.password = password;
  in.nonce = nonce;
  in.cnonce = cnonce;
  in.nc = nc;
  in.qop = qop;
  in.method = c.req.head.method;
  in.uri = uri;
  in.body = c.req.body;
  std::optional<std::string> expected = core::digest_response(in);
  if (get("response") != expected)
    return unauthorized(challenge(false), "The Digest response does not match the password.");
  return json_response(200, json{{"authenticated", true}, {"user", std::string(user)}});
}

}  // namespace herald::handlers::lab_detail
