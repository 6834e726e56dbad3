# BatchLab — targets:
#   make reproduce   install system packages, build, run the default study pipeline, print the report path
#   make test        install system packages, build, run every test (what CI runs)
#   make bench       build in release and print the benchmark tables (BatchLab vs PyTorch, same run)
#   make fixtures    regenerate the committed PyTorch oracle fixtures (needs network access to PyPI)
#   make deps        install the Debian packages (idempotent; skips apt when all are present)
#   make clean       remove build folders
SHELL := /bin/bash
.PHONY: reproduce test bench fixtures deps build clean

deps:
	@scripts/install-deps.sh

build: deps
	swift build

test: deps
	swift build --build-tests
	swift test --skip-build

bench: deps
	swift build -c release --product batchlab
	swift build -c release --product pipeline-bench
	.build/release/pipeline-bench

reproduce: deps
	swift build -c release
	.build/release/batchlab reproduce

clean:
	rm -rf .build
