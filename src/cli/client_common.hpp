#pragma once
// What the client verbs (`herald check`, `get`, `head`, `send`) share: the flags that shape a
// request and how it is followed, and their translation into client/ options.

#include <string>
#include <vector>

#include <herald/client/fetch.hpp>
#include <herald/client/http_client.hpp>

namespace CLI {
class App;
}

namespace herald::cli {

struct request_flags {
  std::vector<std::string> headers;  // -H 'Name: value'
  std::string user;                  // -u USER:PASS
  bool digest = false;
  bool no_follow = false;
  unsigned max_redirs = 0;            // 0: the policy's default
  std::string redirect_policy = "fetch";
  unsigned retry = 0;
  double retry_max_time = 0;
  double connect_timeout = 10;
  double max_time = 0;
  bool insecure = false;
  bool compressed = false;
  bool json = false;
  std::string proxy;
  std::string proxy_user;
};

// Adds the flags above to a verb.
void add_request_flags(CLI::App& cmd, request_flags& flags);

// The request and options the flags describe. Throws std::invalid_argument with a one-line
// message for a malformed header or credential.
client::request_spec make_request(const std::string& method, const std::string& url,
                                  const request_flags& flags);
client::fetch_options make_fetch_options(const request_flags& flags);
client::client_options make_client_options(const request_flags& flags);

// "301 Moved Permanently"
std::string status_line(int status, std::string_view reason);

}  // namespace herald::cli
