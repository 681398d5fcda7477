#include <iostream>

#include "cli/app.hpp"

#ifdef HERALD_JEMALLOC
// Read by jemalloc at start-up. muzzy_decay_ms:0 returns unused pages with MADV_DONTNEED,
// not MADV_FREE, whose pages stay in the resident set until the kernel is short of memory;
// the idle-connection parking purges at once after a burst (server/idle_parking.cpp).
extern "C" {
const char* malloc_conf = "muzzy_decay_ms:0";
}
#endif

int main(int argc, char** argv) { return herald::cli::run(argc, argv, std::cout, std::cerr); }
