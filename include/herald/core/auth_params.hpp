#pragma once
// The auth-param list of a credential or challenge (RFC 9110 §11.2):
//   auth-param = token BWS "=" BWS ( token / quoted-string )
// comma-separated, empty elements allowed (RFC 9110 §5.6.1). Digest credentials (RFC 7616
// §3.4) are such a list after the scheme name.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace herald::core {

using auth_param_list = std::vector<std::pair<std::string, std::string>>;

// The name=value pairs in order, quoted values unescaped; nullopt when the list does not parse.
std::optional<auth_param_list> parse_auth_params(std::string_view list);

// One challenge of WWW-Authenticate or Proxy-Authenticate (RFC 9110 §11.3):
//   challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
struct challenge {
  std::string scheme;  // as written; compare case-insensitively
  std::string token68;  // when the challenge carries one instead of parameters
  auth_param_list params;
  // The value of a parameter (names compare case-insensitively), or nullptr.
  const std::string* param(std::string_view name) const;
};

// Every challenge of a field value, which may hold several, each followed by its own
// parameters ("Basic realm=\"a\", Digest realm=\"b\", nonce=\"n\""). nullopt when the value
// does not parse.
std::optional<std::vector<challenge>> parse_challenges(std::string_view value);

}  // namespace herald::core
