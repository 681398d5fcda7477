#include <herald/client/retry.hpp>

#include <algorithm>
#include <charconv>
#include <fmt/format.h>

#include <herald/core/http_date.hpp>
#include <herald/core/method.hpp>
#include <herald/core/syntax.hpp>

namespace herald::client {

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::sys_seconds now) {
  value = core::syntax::trim_ows(value);
  if (!value.empty() && std::all_of(value.begin(), value.end(), core::syntax::is_digit)) {
    std::uint64_t seconds = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec != std::errc{}) seconds = UINT32_MAX;  // absurdly far: the cap decides
    return std::chrono::seconds(std::min<std::uint64_t>(seconds, UINT32_MAX));
  }
  std::optional<std::chrono::sys_seconds> date = core::parse_http_date(value);
  if (!date) return std::nullopt;
  return std::max(std::chrono::seconds(0), *date - now);
}

bool idempotent(std::string_view method) {
  std::optional<core::method> m = core::parse_method(method);
  return m && core::info(*m).idempotent;
}

retry_tracker::retry_tracker(retry_policy policy, std::uint64_t seed)
    : policy_(policy), random_(seed) {}

std::chrono::milliseconds retry_tracker::backoff() {
  auto full = policy_.first_backoff * (1u << std::min(retries_, 16u));
  full = std::min(full, policy_.last_backoff);
  std::uniform_int_distribution<long long> jitter(0, full.count() / 2);
  return full / 2 + std::chrono::milliseconds(jitter(random_));
}

retry_decision retry_tracker::decide(std::chrono::milliseconds wait, std::string reason,
                                     std::chrono::milliseconds elapsed) {
  if (retries_ >= policy_.max_retries) {
    return {false, wait,
            policy_.max_retries == 0 ? reason + "; not retried (no --retry)"
                                     : fmt::format("{}; gave up after {} retries", reason, retries_)};
  }
  if (policy_.max_time.count() > 0 && elapsed + wait > policy_.max_time)
    return {false, wait, fmt::format("{}; waiting {} ms would pass the time budget", reason, wait.count())};
  ++retries_;
  return {true, wait, std::move(reason)};
}

retry_decision retry_tracker::after_status(int status, std::optional<std::string_view> retry_after,
                                           std::string_view method, std::chrono::sys_seconds now,
                                           std::chrono::milliseconds elapsed) {
  if (status == 429 || status == 503) {
    if (retry_after) {
      std::optional<std::chrono::seconds> delay = parse_retry_after(*retry_after, now);
      if (delay && *delay > policy_.max_wait)
        return {false, *delay,
                fmt::format("{}: the server asks to wait {} s, longer than {} s", status,
                            delay->count(), policy_.max_wait.count())};
      if (delay)
        return decide(*delay, fmt::format("{} with Retry-After: {}", status, *retry_after), elapsed);
    }
    return decide(backoff(), fmt::format("{} without a usable Retry-After", status), elapsed);
  }
  if (status == 408) {
    if (!idempotent(method))
      return {false, {}, fmt::format("408 to {}: not retried, the method is not idempotent", method)};
    return decide(backoff(), "408 Request Timeout", elapsed);
  }
  return {};
}

retry_decision retry_tracker::after_failure(std::string_view method, bool reached_server,
                                            std::string_view what,
                                            std::chrono::milliseconds elapsed) {
  if (reached_server && !idempotent(method))
    return {false, {}, fmt::format("{}: not retried, {} is not idempotent", what, method)};
  return decide(backoff(), std::string(what), elapsed);
}

}  // namespace herald::client
