# BatchLab — targets:
#   make reproduce   install system packages, build, run the default study pipeline, print the report path
#   make test        install system packages, build, run every test (what CI runs)
#   make check-report open the report in headless Chromium: images loaded, none blank, screenshots in artifacts/report-check
#   make bench       build in release and print the benchmark tables (data import speed; BatchLab vs PyTorch)
#   make fixtures    regenerate the committed PyTorch oracles (training core, landscape, Hessian) and scipy L-BFGS-B fixtures (needs network access to PyPI)
#   make deps        install the Debian packages (idempotent; skips apt when all are present)
#   make clean       remove build folders
SHELL := /bin/bash
.PHONY: reproduce test bench fixtures deps build clean check-report

deps:
	@scripts/install-deps.sh

build: deps
	swift build

# swift test cannot re-execute itself like the executables do (NumericEnvironment.ensureFastBLAS),
# so the OpenBLAS kernel is chosen here, before the process starts.
FAST_BLAS = env $$(scripts/openblas-coretype.sh --env)

# The log is kept so the run can end by saying which conv engines (kernel sets) this CPU tested.
test: deps
	swift build --build-tests
	@mkdir -p artifacts
	set -o pipefail; $(FAST_BLAS) swift test --skip-build --disable-swift-testing 2>&1 | tee artifacts/test.log
	@grep -h "engines tested" artifacts/test.log | sort -u

# Benchmark programs print tables: data import, storage, the engine's cached runs, then the training
# core side by side with PyTorch, which batchlab-bench runs as a child process and measures in
# alternation with itself (its last line is the ratio line).
bench: deps
	swift build -c release
	.build/release/datasets-bench
	.build/release/store-bench
	.build/release/pipeline-bench
	scripts/reference/venv.sh
	.venv/bin/python scripts/reference/bench_landscape_pytorch.py --out artifacts/bench-pytorch-landscape.json
	.build/release/batchlab-bench --landscape --pytorch artifacts/bench-pytorch-landscape.json
	.build/release/batchlab-bench --python .venv/bin/python

fixtures:
	scripts/reference/venv.sh
	.venv/bin/python scripts/reference/oracle.py Tests/NNTests/Fixtures/oracle-tiny.json
	.venv/bin/python scripts/reference/landscape_oracle.py Tests/StudyTests/Fixtures/landscape-tiny.json
	.venv/bin/python scripts/reference/hessian_oracle.py Tests/CurvatureTests/Fixtures/hessian-tiny.json
	.venv/bin/python -c "import scipy" 2>/dev/null || .venv/bin/pip install --quiet scipy
	.venv/bin/python scripts/reference/lbfgsb_fixture.py

# The release binary is rebuilt only when a source file is newer: a no-op `swift build` alone takes
# ~4 s here, and a second `make reproduce` with nothing changed should take well under 3 s.
RELEASE_INPUTS := Package.swift $(shell find Sources -type f)
.build/release/batchlab: $(RELEASE_INPUTS)
	swift build -c release --product batchlab
	@touch $@

reproduce: deps .build/release/batchlab
	.build/release/batchlab reproduce

# The report of the default pipeline as a reader sees it (run make reproduce first).
check-report: deps
	scripts/check-report.sh artifacts/report/study/index.html artifacts/report-check

clean:
	rm -rf .build
