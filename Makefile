# The two commands a user needs: `make serve` and `make test`. Everything else is for developers.
.DEFAULT_GOAL := help
SHELL := /bin/bash

BUILD       ?= build
JOBS        ?= $(shell nproc)
FUZZ_SECONDS ?= 30
ARGS        ?=
COMPARE_ARGS ?=

CMAKE_COMMON := -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON

.PHONY: help deps release serve test fuzz fuzz-build bench clean

help:
	@echo "make serve   install what is missing, build Release, start herald on its embedded default"
	@echo "make test    install what is missing, build with ASan+UBSan, run every test (CTest)"
	@echo "make fuzz    build the libFuzzer targets and run each for FUZZ_SECONDS (default $(FUZZ_SECONDS))"
	@echo "make bench   install the peers, build Release, run the parser benchmarks, then bench/compare"
	@echo "             (herald against nginx, h2o, lighttpd and a floor; COMPARE_ARGS=--help for its flags)"

deps:
	@scripts/install-deps

release: deps
	@cmake -S . -B $(BUILD)/release $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD)/release -j $(JOBS) --target herald_exe

# The embedded default: 127.0.0.1:8080, here serving the demo site kept in www/.
serve: release
	$(BUILD)/release/herald serve www $(ARGS)

$(BUILD)/fuzz/build.ninja: | deps
	@cmake -S . -B $(BUILD)/fuzz $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER=clang++ -DHERALD_FUZZ=ON -DHERALD_WERROR=ON >/dev/null

fuzz-build: deps $(BUILD)/fuzz/build.ninja
	@cmake --build $(BUILD)/fuzz -j $(JOBS)

test: deps fuzz-build
	@cmake -S . -B $(BUILD)/test $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Debug \
	  -DHERALD_SANITIZE=ON -DHERALD_WERROR=ON -DHERALD_BUILD_TESTS=ON \
	  -DHERALD_FUZZ_BUILD_DIR=$(abspath $(BUILD)/fuzz) -DHERALD_FUZZ_SECONDS=$(FUZZ_SECONDS) >/dev/null
	@cmake --build $(BUILD)/test -j $(JOBS)
	@cd $(BUILD)/test && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest -j $(JOBS) --output-on-failure $(ARGS)

fuzz: fuzz-build
	@scripts/run-fuzzers $(BUILD)/fuzz $(FUZZ_SECONDS)

# The parser benchmarks briefly, instructions per request under callgrind, then the
# side-by-side comparison (about 10 minutes; its table
# goes to bench/results/). The build holds herald, bench/floor and bench/idle_clients.
bench:
	@scripts/install-deps bench
	@cmake -S . -B $(BUILD)/bench $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Release -DHERALD_BUILD_BENCH=ON >/dev/null
	@cmake --build $(BUILD)/bench -j $(JOBS)
	@for b in $(BUILD)/bench/bench/*_bench; do echo "== $$b"; $$b --benchmark_min_time=0.2 $(ARGS); done
	@bench/instructions --build $(BUILD)/bench
	@bench/instructions --build $(BUILD)/bench --cached
	@bench/compare --build $(BUILD)/bench $(COMPARE_ARGS)

clean:
	rm -rf $(BUILD)
