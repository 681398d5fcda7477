// When the client tries again (src/client/retry.cpp): Retry-After in both forms (RFC 9110
// §10.2.3), 429 and 503 with and without it, the cap on waiting, 408 for idempotent methods
// only (RFC 9110 §9.2.2), failures before and after the request reached the server, the retry
// count and time budgets, and the backoff's growth and jitter under fixed seeds.

#include <herald/client/retry.hpp>

#include <chrono>
#include <gtest/gtest.h>
#include <optional>
#include <set>
#include <string>

namespace herald::client {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::sys_seconds;

// Sun, 06 Nov 1994 08:49:37 GMT
constexpr sys_seconds rfc_date{seconds{784111777}};

retry_policy retries(unsigned n) {
  retry_policy p;
  p.max_retries = n;
  return p;
}

// ----- Retry-After -------------------------------------------------------------------------------

TEST(RetryAfter, DelaySeconds) {
  EXPECT_EQ(parse_retry_after("120", rfc_date), 120s);
  EXPECT_EQ(parse_retry_after("0", rfc_date), 0s);
  EXPECT_EQ(parse_retry_after(" 7 ", rfc_date), 7s);
}

TEST(RetryAfter, HugeDelayIsCappedNotRefused) {
  auto huge = parse_retry_after("99999999999999999999999", rfc_date);
  ASSERT_TRUE(huge);
  EXPECT_GT(*huge, seconds(86400 * 365));
}

TEST(RetryAfter, DateInTheFuture) {
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:51:37 GMT", rfc_date), 120s);
  // The obsolete forms of HTTP-date (RFC 9110 §5.6.7) are accepted too.
  EXPECT_EQ(parse_retry_after("Sunday, 06-Nov-94 08:49:47 GMT", rfc_date), 10s);
  EXPECT_EQ(parse_retry_after("Sun Nov  6 08:49:57 1994", rfc_date), 20s);
}

TEST(RetryAfter, DateNowOrInThePastIsZero) {
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", rfc_date), 0s);
  EXPECT_EQ(parse_retry_after("Fri, 01 Jan 1988 00:00:00 GMT", rfc_date), 0s);
}

TEST(RetryAfter, GarbageIsNothing) {
  for (std::string_view value : {"", "soon", "-1", "1.5", "+3", "12s", "Sun, 06 Nov 1994",
                                 "0x10", "Sun, 32 Nov 1994 08:49:37 GMT"})
    EXPECT_FALSE(parse_retry_after(value, rfc_date)) << "\"" << value << "\"";
}

// ----- idempotent --------------------------------------------------------------------------------

TEST(Idempotent, MethodsOfRfc9110) {
  for (const char* m : {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})
    EXPECT_TRUE(idempotent(m)) << m;
  for (const char* m : {"POST", "PATCH", "CONNECT", "BREW", "get", ""})
    EXPECT_FALSE(idempotent(m)) << m;
}

// ----- decisions after a status ------------------------------------------------------------------

TEST(RetryTracker, TooManyRequestsWaitsForRetryAfterSeconds) {
  retry_tracker t(retries(3), 1);
  retry_decision d = t.after_status(429, "2", "POST", rfc_date, 0ms);
  EXPECT_TRUE(d.retry);
  EXPECT_EQ(d.wait, 2000ms);
  EXPECT_NE(d.reason.find("429"), std::string::npos) << d.reason;
  EXPECT_NE(d.reason.find("Retry-After"), std::string::npos) << d.reason;
  EXPECT_EQ(t.retries(), 1u);
}

TEST(RetryTracker, ServiceUnavailableWaitsUntilTheDate) {
  retry_tracker t(retries(3), 1);
  retry_decision d = t.after_status(503, "Sun, 06 Nov 1994 08:49:40 GMT", "GET", rfc_date, 0ms);
  EXPECT_TRUE(d.retry);
  EXPECT_EQ(d.wait, 3000ms);
  retry_decision past = t.after_status(503, "Sun, 06 Nov 1994 08:00:00 GMT", "GET", rfc_date, 0ms);
  EXPECT_TRUE(past.retry);
  EXPECT_EQ(past.wait, 0ms);
}

TEST(RetryTracker, WithoutRetryAfterABackoff) {
  retry_tracker t(retries(3), 7);
  retry_decision d = t.after_status(503, std::nullopt, "GET", rfc_date, 0ms);
  EXPECT_TRUE(d.retry);
  EXPECT_GE(d.wait, 250ms);
  EXPECT_LE(d.wait, 500ms);
  EXPECT_NE(d.reason.find("without a usable Retry-After"), std::string::npos) << d.reason;
}

TEST(RetryTracker, GarbageRetryAfterFallsBackToBackoff) {
  retry_tracker t(retries(3), 7);
  retry_decision d = t.after_status(429, "later", "GET", rfc_date, 0ms);
  EXPECT_TRUE(d.retry);
  EXPECT_GE(d.wait, 250ms);
  EXPECT_LE(d.wait, 500ms);
}

TEST(RetryTracker, RetryAfterBeyondTheCapIsNotWaitedFor) {
  retry_policy p = retries(5);
  p.max_wait = 60s;
  retry_tracker t(p, 1);
  retry_decision d = t.after_status(503, "61", "GET", rfc_date, 0ms);
  EXPECT_FALSE(d.retry);
  EXPECT_EQ(d.wait, 61000ms);
  EXPECT_NE(d.reason.find("61 s"), std::string::npos) << d.reason;
  EXPECT_NE(d.reason.find("60 s"), std::string::npos) << d.reason;
  EXPECT_EQ(t.retries(), 0u);
  EXPECT_TRUE(t.after_status(503, "60", "GET", rfc_date, 0ms).retry) << "the cap itself is waited for";
}

TEST(RetryTracker, DefaultCapIs120Seconds) {
  retry_tracker t(retries(5), 1);
  EXPECT_TRUE(t.after_status(429, "120", "GET", rfc_date, 0ms).retry);
  EXPECT_FALSE(t.after_status(429, "121", "GET", rfc_date, 0ms).retry);
  EXPECT_FALSE(t.after_status(429, "Sun, 06 Nov 1994 09:49:37 GMT", "GET", rfc_date, 0ms).retry);
}

TEST(RetryTracker, NoRetriesAllowedSaysSo) {
  retry_tracker t(retries(0), 1);
  retry_decision d = t.after_status(503, "1", "GET", rfc_date, 0ms);
  EXPECT_FALSE(d.retry);
  EXPECT_NE(d.reason.find("not retried"), std::string::npos) << d.reason;
}

TEST(RetryTracker, MaxRetriesExhausted) {
  retry_tracker t(retries(2), 1);
  EXPECT_TRUE(t.after_status(503, "0", "GET", rfc_date, 0ms).retry);
  EXPECT_TRUE(t.after_status(503, "0", "GET", rfc_date, 0ms).retry);
  retry_decision d = t.after_status(503, "0", "GET", rfc_date, 0ms);
  EXPECT_FALSE(d.retry);
  EXPECT_NE(d.reason.find("gave up after 2 retries"), std::string::npos) << d.reason;
  EXPECT_EQ(t.retries(), 2u);
}

TEST(RetryTracker, TimeBudget) {
  retry_policy p = retries(10);
  p.max_time = 10s;
  retry_tracker t(p, 1);
  EXPECT_TRUE(t.after_status(429, "3", "GET", rfc_date, 7000ms).retry) << "ends at exactly 10 s";
  retry_decision d = t.after_status(429, "3", "GET", rfc_date, 7001ms);
  EXPECT_FALSE(d.retry);
  EXPECT_NE(d.reason.find("time budget"), std::string::npos) << d.reason;
}

TEST(RetryTracker, RequestTimeoutOnlyForIdempotentMethods) {
  retry_tracker t(retries(3), 1);
  retry_decision post = t.after_status(408, std::nullopt, "POST", rfc_date, 0ms);
  EXPECT_FALSE(post.retry);
  EXPECT_NE(post.reason.find("not idempotent"), std::string::npos) << post.reason;
  EXPECT_FALSE(t.after_status(408, std::nullopt, "PATCH", rfc_date, 0ms).retry);
  for (const char* m : {"GET", "PUT", "DELETE"}) {
    retry_decision d = t.after_status(408, std::nullopt, m, rfc_date, 0ms);
    EXPECT_TRUE(d.retry) << m;
    EXPECT_NE(d.reason.find("408"), std::string::npos) << d.reason;
  }
}

TEST(RetryTracker, OtherStatusesAreNotRetried) {
  retry_tracker t(retries(3), 1);
  for (int status : {200, 301, 400, 404, 500, 502, 504}) {
    retry_decision d = t.after_status(status, "1", "GET", rfc_date, 0ms);
    EXPECT_FALSE(d.retry) << status;
    EXPECT_EQ(d.reason, "") << status;
  }
  EXPECT_EQ(t.retries(), 0u);
}

// ----- decisions after a failure -----------------------------------------------------------------

TEST(RetryTracker, FailureBeforeTheServerRetriesAnyMethod) {
  retry_tracker t(retries(2), 1);
  retry_decision d = t.after_failure("POST", false, "cannot connect", 0ms);
  EXPECT_TRUE(d.retry);
  EXPECT_EQ(d.reason, "cannot connect");
  EXPECT_GE(d.wait, 250ms);
  EXPECT_LE(d.wait, 500ms);
}

TEST(RetryTracker, FailureAfterTheRequestWentOutRetriesOnlyIdempotentMethods) {
  retry_tracker t(retries(2), 1);
  retry_decision post = t.after_failure("POST", true, "the connection closed", 0ms);
  EXPECT_FALSE(post.retry);
  EXPECT_NE(post.reason.find("POST is not idempotent"), std::string::npos) << post.reason;
  EXPECT_EQ(t.retries(), 0u);
  EXPECT_TRUE(t.after_failure("GET", true, "the connection closed", 0ms).retry);
  EXPECT_TRUE(t.after_failure("PUT", true, "the connection closed", 0ms).retry);
  EXPECT_FALSE(t.after_failure("GET", true, "the connection closed", 0ms).retry) << "two retries only";
}

// ----- backoff -----------------------------------------------------------------------------------

TEST(RetryTracker, BackoffDoublesWithinJitterBoundsUpToTheLast) {
  // Half fixed, half random: the n-th wait lies in [b/2, b] for b = 500 ms × 2^n, b ≤ 30 s.
  for (std::uint64_t seed : {1u, 2u, 42u, 1234567u}) {
    retry_tracker t(retries(10), seed);
    milliseconds full = 500ms;
    for (int i = 0; i < 10; ++i) {
      retry_decision d = t.after_failure("GET", false, "x", 0ms);
      ASSERT_TRUE(d.retry);
      EXPECT_GE(d.wait, full / 2) << "seed " << seed << " retry " << i;
      EXPECT_LE(d.wait, full) << "seed " << seed << " retry " << i;
      full = std::min<milliseconds>(full * 2, 30s);
    }
  }
}

TEST(RetryTracker, SameSeedSameWaitsOtherSeedsDiffer) {
  auto waits = [](std::uint64_t seed) {
    retry_tracker t(retries(6), seed);
    std::vector<long long> out;
    for (int i = 0; i < 6; ++i) out.push_back(t.after_failure("GET", false, "x", 0ms).wait.count());
    return out;
  };
  EXPECT_EQ(waits(99), waits(99));
  std::set<std::vector<long long>> distinct;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) distinct.insert(waits(seed));
  EXPECT_GT(distinct.size(), 4u) << "the jitter must vary with the seed";
}

TEST(RetryTracker, CustomBackoffBounds) {
  retry_policy p = retries(5);
  p.first_backoff = 100ms;
  p.last_backoff = 300ms;
  retry_tracker t(p, 3);
  const milliseconds bounds[] = {100ms, 200ms, 300ms, 300ms, 300ms};
  for (milliseconds b : bounds) {
    milliseconds w = t.after_failure("GET", false, "x", 0ms).wait;
    EXPECT_GE(w, b / 2);
    EXPECT_LE(w, b);
  }
}

}  // namespace
}  // namespace herald::client
