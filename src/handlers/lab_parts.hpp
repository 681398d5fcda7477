#pragma once
// The pieces of the lab (handlers/lab.hpp) shared by its source files.

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <herald/handlers/lab.hpp>
#include <herald/server/response.hpp>

namespace herald::handlers::lab_detail {

using json = nlohmann::json;

// One request as the lab's endpoints see it.
struct call {
  server::request& req;
  const lab_options& opts;
  std::vector<std::string> segments;                        // decoded, after the prefix
  std::vector<std::pair<std::string, std::string>> query;  // decoded name=value pairs

  std::optional<std::string_view> param(std::string_view name) const;
  std::string host() const;                              // Host, else "localhost"
  std::string link(std::string_view path) const;         // the prefix, then `path`
  std::string absolute(std::string_view path) const;     // http://host, the prefix, `path`
  std::string url() const;                               // the request's absolute URL
  std::string origin() const;                            // the client's address
};

// The JSON fields httpbin echoes about a request: args, headers, origin, url; with
// `with_content` also data, files, form and json; with `with_method` also method.
json echo(const call& c, bool with_content, bool with_method);

// JSON as the lab sends it, newline-terminated; `indent` -1 for one line.
std::string text_of(const json& value, int indent = 2);
server::response json_response(int status, const json& body);
// An application/problem+json body (RFC 9457) with the reason phrase as title.
server::response problem(int status, std::string_view detail);

server::response basic_auth(const call& c, std::string_view user, std::string_view password,
                            bool hidden);
server::response bearer_auth(const call& c);
server::response digest_auth(const call& c, std::string_view qop, std::string_view user,
                             std::string_view password, std::string_view algorithm);

// Fixed content, as httpbin serves it.
std::string_view sample_html();
std::string_view sample_json();
std::string_view sample_xml();
std::string_view sample_utf8();
std::string_view robots_txt();
std::string_view deny_text();
std::string_view teapot_text();

struct image {
  std::string_view media_type;  // "image/png"
  std::string_view name;        // "png", as in /image/png
  std::string octets;
};
std::span<const image> images();  // in the order a client without preference gets them

}  // namespace herald::handlers::lab_detail
