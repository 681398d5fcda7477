#pragma once
// Everything `herald serve` can be told, as one plain value with its defaults.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include <herald/http1/parser.hpp>

namespace herald::server {

struct listen_address {
  std::string host = "127.0.0.1";  // an IPv4 or IPv6 literal, or "localhost"
  unsigned short port = 8080;      // 0: any free port (tests)
};

enum class access_log_format { combined, json };

struct options {
  std::vector<listen_address> listen{listen_address{}};
  unsigned workers = 0;  // 0: one per core

  http1::limits limits{};
  std::chrono::milliseconds header_timeout{10'000};  // head not complete in time → 408
  std::chrono::milliseconds body_timeout{30'000};    // no content octet for this long → 408
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive wait for a next request
  std::chrono::milliseconds send_timeout{30'000};    // a reader this slow is dropped
  std::chrono::milliseconds linger_timeout{2'000};   // draining input after an error
  std::chrono::milliseconds grace_period{10'000};    // on SIGTERM: in-flight work may finish
  std::chrono::seconds retry_after{5};               // sent with 503 when draining or full

  std::size_t max_connections_per_worker = 10'000;  // beyond: 503 + Retry-After, close

  // Names this server answers for; empty: any. With strict_host, a request for another
  // name is answered 421 (RFC 9110 §15.5.20).
  std::vector<std::string> server_names;
  bool strict_host = false;

  std::string server_header = "herald";  // empty: no Server field

  bool access_log = true;
  std::string access_log_path;  // empty: standard output
  access_log_format log_format = access_log_format::combined;

  // Peers (exact address text) whose connections are closed without a response, logged as
  // 444 as nginx does; paths (prefixes) whose requests are dropped the same way.
  std::vector<std::string> deny_peers;
  std::vector<std::string> deny_paths;
};

}  // namespace herald::server
