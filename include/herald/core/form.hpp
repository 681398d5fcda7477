#pragma once
// Text encodings a server reads from requests: application/x-www-form-urlencoded (a query, a
// form body; WHATWG URL §5.1) and base64 (RFC 4648), over OpenSSL for the latter.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace herald::core {

// name=value pairs in order, repeated names kept: '+' is a space, percent-escapes are decoded,
// and a malformed escape is kept as written (as browsers and werkzeug do). Empty items between
// '&'s are skipped; an item without '=' has an empty value.
std::vector<std::pair<std::string, std::string>> parse_form_urlencoded(std::string_view text);

// Base64 (RFC 4648 §4), or with `url_safe` its URL alphabet (§5); padding optional, no
// whitespace. nullopt for anything else.
std::optional<std::string> base64_decode(std::string_view text, bool url_safe = false);
std::string base64_encode(std::string_view octets);

}  // namespace herald::core
