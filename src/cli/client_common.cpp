#include "cli/client_common.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <stdexcept>

#include <herald/core/status.hpp>
#include <herald/core/syntax.hpp>
#include <herald/core/uri.hpp>

namespace herald::cli {

void add_request_flags(CLI::App& cmd, request_flags& f) {
  // One value per occurrence: `-H 'A: 1' URL` must leave the URL alone.
  cmd.add_option("-H,--header", f.headers, "A request field, 'Name: value'; repeatable")
      ->allow_extra_args(false);
  cmd.add_option("-u,--user", f.user, "Credentials USER:PASS for a 401 challenge (Basic or Digest)");
  cmd.add_flag("--digest", f.digest, "Answer Digest challenges only: never send the password in the clear");
  cmd.add_flag("--no-follow", f.no_follow, "Do not follow redirects");
  cmd.add_option("--max-redirs", f.max_redirs, "Redirects followed at most (default 20, 5 with --redirect-policy strict)")
      ->check(CLI::Range(1u, 1000u));
  cmd.add_option("--redirect-policy", f.redirect_policy,
                 "fetch: as browsers (301/302 turn POST into GET); strict: follow only GET and HEAD")
      ->capture_default_str()->check(CLI::IsMember({"fetch", "strict"}));
  cmd.add_option("--retry", f.retry, "Retries for 429/503 (after Retry-After), 408 and connection failures")
      ->capture_default_str()->check(CLI::Range(0u, 100u));
  cmd.add_option("--retry-max-time", f.retry_max_time, "Seconds the retries may take in all (0: no limit)")
      ->check(CLI::NonNegativeNumber);
  cmd.add_option("--connect-timeout", f.connect_timeout, "Seconds to connect")
      ->capture_default_str()->check(CLI::PositiveNumber);
  cmd.add_option("--max-time", f.max_time, "Seconds one exchange may take (0: no limit)")
      ->check(CLI::NonNegativeNumber);
  cmd.add_flag("-k,--insecure", f.insecure, "Do not verify the server's certificate (dangerous)");
  cmd.add_flag("--compressed", f.compressed, "Ask for gzip, deflate, br or zstd and decode the content");
  cmd.add_flag("--json", f.json, "Print one JSON object (see the README for the schema)");
  cmd.add_option("--proxy", f.proxy, "An HTTP proxy, http://host:port (https goes through CONNECT)");
  cmd.add_option("--proxy-user", f.proxy_user, "Credentials USER:PASS for the proxy (Basic)");
}

client::request_spec make_request(const std::string& method, const std::string& url,
                                  const request_flags& f) {
  client::request_spec r;
  r.method = method;
  r.url = url;
  for (const std::string& line : f.headers) {
    std::size_t colon = line.find(':');
    std::string_view name = colon == std::string::npos ? std::string_view{} : std::string_view(line).substr(0, colon);
    std::string_view value = colon == std::string::npos ? std::string_view{} : core::syntax::trim_ows(std::string_view(line).substr(colon + 1));
    if (name.empty() || !r.fields.add(name, value))
      throw std::invalid_argument("-H " + line + ": expected 'Name: value' with a token name");
  }
  return r;
}

client::fetch_options make_fetch_options(const request_flags& f) {
  client::fetch_options o;
  o.follow = !f.no_follow;
  o.policy = f.redirect_policy == "strict" ? client::redirect_policy::strict : client::redirect_policy::fetch;
  o.max_hops = f.max_redirs;
  if (!f.user.empty()) {
    std::size_t colon = f.user.find(':');
    if (colon == std::string::npos) throw std::invalid_argument("-u " + f.user + ": expected USER:PASS");
    o.auth = client::credentials{f.user.substr(0, colon), f.user.substr(colon + 1), f.digest};
  } else if (f.digest) {
    throw std::invalid_argument("--digest needs -u USER:PASS");
  }
  if (!f.proxy_user.empty()) {
    std::size_t colon = f.proxy_user.find(':');
    if (colon == std::string::npos) throw std::invalid_argument("--proxy-user " + f.proxy_user + ": expected USER:PASS");
    o.proxy_auth = client::credentials{f.proxy_user.substr(0, colon), f.proxy_user.substr(colon + 1), false};
  }
  o.retry.max_retries = f.retry;
  o.retry.max_time = std::chrono::seconds(static_cast<long long>(f.retry_max_time));
  return o;
}

client::client_options make_client_options(const request_flags& f) {
  client::client_options o;
  o.connect_timeout = std::chrono::milliseconds(static_cast<long long>(f.connect_timeout * 1000));
  o.total_timeout = std::chrono::milliseconds(static_cast<long long>(f.max_time * 1000));
  o.insecure = f.insecure;
  o.decode_content = f.compressed;
  o.proxy = f.proxy;
  o.proxy_user = f.proxy_user;
  if (!f.proxy.empty()) {
    core::uri_parse_result proxy = core::parse_uri(f.proxy);
    if (!proxy || !proxy.uri.authority || !core::syntax::iequals(*proxy.uri.scheme, "http"))
      throw std::invalid_argument("--proxy " + f.proxy + ": expected http://host:port");
  }
  if (!f.proxy_user.empty() && f.proxy.empty()) throw std::invalid_argument("--proxy-user needs --proxy");
  if (!f.proxy_user.empty() && f.proxy_user.find(':') == std::string::npos)
    throw std::invalid_argument("--proxy-user " + f.proxy_user + ": expected USER:PASS");
  return o;
}

std::string status_line(int status, std::string_view reason) {
  if (reason.empty()) reason = core::reason_phrase(status);
  return fmt::format("{} {}", status, reason);
}

}  // namespace herald::cli
