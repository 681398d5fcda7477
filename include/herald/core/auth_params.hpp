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

// The name=value pairs in order, quoted values unescaped; nullopt when the list does not parse.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_auth_params(
    std::string_view list);

}  // namespace herald::core
