#include <gtest/gtest.h>

#include <herald/server/clock.hpp>

namespace herald::server {
namespace {

using namespace std::chrono_literals;

// The same clock as steady_clock, one tick behind at most (a tick is 1–10 ms).
TEST(CoarseSteadyClock, TrailsSteadyClockByLessThanATick) {
  for (int i = 0; i < 1000; ++i) {
    const auto before = std::chrono::steady_clock::now();
    const auto coarse = coarse_steady_now();
    const auto after = std::chrono::steady_clock::now();
    EXPECT_LE(coarse, after);
    EXPECT_GT(coarse, before - 20ms);
  }
}

}  // namespace
}  // namespace herald::server
