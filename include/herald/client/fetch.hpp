#pragma once
// A request as a user means it: the exchanges of http_client.hpp, with redirects followed
// (redirect.hpp), 401 and 407 challenges answered once (Basic, or Digest per RFC 7616 when offered:
// MD5, SHA-256, SHA-512-256, qop auth), 417 answered by sending again without the
// expectation, and 429/503/408 and connection failures retried (retry.hpp). Every response
// along the way is kept, so that `herald check` can show the chain.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <herald/client/http_client.hpp>
#include <herald/client/redirect.hpp>
#include <herald/client/retry.hpp>

namespace herald::client {

struct credentials {
  std::string user;
  std::string password;
  bool digest_only = false;  // never send the password in the clear (curl's --digest)
};

struct fetch_options {
  bool follow = true;
  redirect_policy policy = redirect_policy::fetch;
  unsigned max_hops = 0;  // 0: the policy's default (20 or 5)
  std::optional<credentials> auth;
  // For a proxy's 407 challenge (RFC 9110 §11.7.1), answered once in Proxy-Authorization.
  std::optional<credentials> proxy_auth;
  retry_policy retry;
  // Run for each pause before a retry, so that a caller can show it (or a test skip it).
  std::function<void(std::chrono::milliseconds, const std::string& reason)> on_wait;
};

struct hop {
  request_spec request;
  std::optional<response_record> response;  // absent when the exchange failed
  redirect_step step;                       // what the response meant for the chain
};

struct fetch_result {
  std::vector<hop> hops;  // every exchange, in order; the last holds the answer
  // Why the chain stopped before a final answer: a redirect verdict other than final/follow,
  // or a transport failure.
  std::optional<redirect_verdict> stopped;
  std::optional<failure> error;
  std::vector<std::string> notes;  // retries, challenges answered, 417s: one line each
  std::chrono::microseconds total{0};

  const response_record* final_response() const {
    return hops.empty() || !hops.back().response ? nullptr : &*hops.back().response;
  }
};

// `sink` receives the content of the response that ends the chain only; the content of
// redirects, answered challenges and retried responses is read and dropped.
fetch_result fetch(http_client& client, request_spec request, const fetch_options& options,
                   content_sink* sink = nullptr);

// The Authorization value answering `challenges` (a WWW-Authenticate value) for `r`, or
// nullopt when no challenge is one herald can answer with these credentials. `to_proxy`: a
// Proxy-Authenticate challenge, whose Digest uri is the absolute URL the proxy was sent.
std::optional<std::string> answer_challenge(std::string_view challenges, const request_spec& r,
                                            const credentials& who, std::string_view cnonce,
                                            bool to_proxy = false);

}  // namespace herald::client
