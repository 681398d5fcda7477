#pragma once
// The responses herald itself produces for errors (DESIGN.md "Errors"): an explaining body as
// application/problem+json (RFC 9457), HTML or plain text, chosen by the request's Accept; the
// reason phrase as title and the exact cause as detail, saying whether the condition is
// temporary (RFC 9110 §15.5, §15.6). The serializer drops the content for HEAD.

#include <optional>
#include <string_view>

#include <herald/server/response.hpp>

namespace herald::server {

// Whether a client may succeed by repeating the same request later.
bool is_temporary(int status);

// `accept` is the request's Accept field, if there is one (none when the head did not parse).
response error_response(int status, std::string_view detail, std::optional<std::string_view> accept,
                        std::string_view reason_token = {});

}  // namespace herald::server
