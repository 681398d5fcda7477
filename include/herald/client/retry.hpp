#pragma once
// When a client tries a request again (RFC 9110 §10.2.3, §15.5.9, §15.6.4, RFC 6585 §4):
// - 429 and 503 are retried after Retry-After (delay-seconds or an HTTP-date), or after a
//   backoff when they carry none. A Retry-After longer than the policy's cap is not waited
//   for: the client gives up and says so, rather than asking again sooner than told.
// - 408 and connection failures are retried only for idempotent methods (RFC 9110 §9.2.2):
//   the server may have acted on a POST it never answered.
// - Backoff doubles from 500 ms up to 30 s, with jitter (half fixed, half random), so that
//   clients that failed together do not retry together.
// - A budget: at most `max_retries`, and none that would end after `max_time`.

#include <chrono>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace herald::client {

// Retry-After's delay from `now`: seconds as given, or the time until the date (0 if past).
// nullopt when the value is neither (RFC 9110 §10.2.3).
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::sys_seconds now);

struct retry_policy {
  unsigned max_retries = 0;
  std::chrono::seconds max_wait{120};  // the longest Retry-After waited for
  std::chrono::seconds max_time{0};    // the whole exchange's budget; 0: none
  std::chrono::milliseconds first_backoff{500};
  std::chrono::milliseconds last_backoff{30'000};
};

struct retry_decision {
  bool retry = false;
  std::chrono::milliseconds wait{0};
  std::string reason;  // why it retries, or why it does not (empty when nothing to retry)
};

class retry_tracker {
 public:
  explicit retry_tracker(retry_policy policy, std::uint64_t seed = std::random_device{}());

  // After a response. `elapsed`: time since the first attempt began.
  retry_decision after_status(int status, std::optional<std::string_view> retry_after,
                              std::string_view method, std::chrono::sys_seconds now,
                              std::chrono::milliseconds elapsed);
  // After a connection that failed or closed before a response. `reached_server`: the request
  // may have been sent (a connect failure never was, so any method may go again).
  retry_decision after_failure(std::string_view method, bool reached_server, std::string_view what,
                               std::chrono::milliseconds elapsed);
  unsigned retries() const { return retries_; }

 private:
  retry_decision decide(std::chrono::milliseconds wait, std::string reason,
                        std::chrono::milliseconds elapsed);
  std::chrono::milliseconds backoff();

  retry_policy policy_;
  std::mt19937_64 random_;
  unsigned retries_ = 0;
};

// Whether a method may be repeated without changing the outcome (RFC 9110 §9.2.2); an unknown
// method is not.
bool idempotent(std::string_view method);

}  // namespace herald::client
