# tourniquet: the two commands (and a few more).
#   make demo   install what is missing, build, drill a breached store, respond to it
#   make test   install what is missing, build, run every test
#   make bench  benchmarks (Google Benchmark + whole-command timings against peers)
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all setup configure build test demo bench clean format

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

format:
	@clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf $(BUILD)
