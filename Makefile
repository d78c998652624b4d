# tourniquet: the two commands (and a few more).
#   make demo   install what is missing, build, drill a breached store, respond to it
#   make test   install what is missing, build, run every test
#   make bench  benchmarks (Google Benchmark + whole-command timings against peers)
#   make fuzz-smoke  instrumented clang build in build-fuzz, each libFuzzer target 30 s
#                    (FUZZ_SECONDS=600 for the long run); not part of make test
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all setup configure build test demo bench clean format fuzz-build fuzz-smoke

all: build

setup:
	@scripts/setup

configure: setup
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	@cd $(BUILD) && ctest -j $(JOBS) --output-on-failure --timeout 300

demo: build
	@scripts/demo $(BUILD)/src/cli/tourniquet

bench: build
	@scripts/bench $(BUILD)

FUZZ_BUILD ?= build-fuzz
fuzz-build: setup
	@CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DTQ_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target $$(cd fuzz && ls *_fuzz.cc | sed 's/\.cc$$//')

fuzz-smoke: fuzz-build
	@cmake --build $(FUZZ_BUILD) --target fuzz-smoke

format:
	@clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf $(BUILD)
