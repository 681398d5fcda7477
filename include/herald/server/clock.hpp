#pragma once
// The clock the server's hot path reads for timeouts and cache windows.

#include <chrono>

namespace herald::server {

// steady_clock's time as of the kernel's last tick (CLOCK_MONOTONIC_COARSE): up to a few
// milliseconds behind steady_clock::now(), never ahead of it, and read without the
// hypervisor's clock, which makes steady_clock::now() cost tens of nanoseconds on a virtual
// machine. For deadlines and windows of a second or so, where a few milliseconds do not matter.
std::chrono::steady_clock::time_point coarse_steady_now();

}  // namespace herald::server
