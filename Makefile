# BatchLab — targets:
#   make reproduce   install system packages, build, run the default study pipeline, print the report path
#   make test        install system packages, build, run every test and replay the fuzz corpora (what CI runs)
#   make fuzz        libFuzzer on the pipeline loader, the one-file import and the store reader (FUZZ_SECONDS each)
#   make check-report open the report in headless Chromium: images loaded, none blank, screenshots in artifacts/report-check
#   make bench       build in release and print the benchmark tables (data import speed; BatchLab vs PyTorch)
#   make fixtures    regenerate the committed PyTorch oracles (training core, landscape, Hessian, noise scale), scipy L-BFGS-B and Pillow EXIF fixtures (needs network access to PyPI)
#   make deps        install the Debian packages (idempotent; skips apt when all are present)
#   make clean       remove build folders
SHELL := /bin/bash
.PHONY: reproduce test bench fixtures deps build clean check-report fuzz

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
	.build/debug/batchlab-fuzz replay Fuzz

# libFuzzer on each target for FUZZ_SECONDS (default 600) in a separate instrumented build
# (.build-fuzz); new inputs go to artifacts/fuzz/TARGET, crashers to artifacts/fuzz/TARGET-crash-*.
# Minimise a corpus into Fuzz/corpus with FUZZ_MERGE=1; copy crashers, once fixed, to Fuzz/regressions.
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= pipeline import store
fuzz: deps
	swift build -c release --product batchlab-fuzz --build-path .build-fuzz \
	  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xcc -fsanitize=fuzzer-no-link,address
	for t in $(FUZZ_TARGETS); do \
	  mkdir -p artifacts/fuzz/$$t; \
	  if [ -n "$(FUZZ_MERGE)" ]; then \
	    mkdir -p artifacts/fuzz/$$t-min; \
	    .build-fuzz/release/batchlab-fuzz $$t -merge=1 artifacts/fuzz/$$t-min Fuzz/corpus/$$t artifacts/fuzz/$$t || exit 1; \
	  else \
	    .build-fuzz/release/batchlab-fuzz $$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=4096 \
	      -artifact_prefix=artifacts/fuzz/$$t- artifacts/fuzz/$$t Fuzz/corpus/$$t || exit 1; \
	  fi; \
	done

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
	cd scripts/reference && ../../.venv/bin/python noise_scale_oracle.py ../../Tests/StudyTests/Fixtures/noise-scale-tiny.json
	.venv/bin/python -c "import scipy" 2>/dev/null || .venv/bin/pip install --quiet scipy
	.venv/bin/python scripts/reference/lbfgsb_fixture.py
	.venv/bin/python -c "import statsmodels" 2>/dev/null || .venv/bin/pip install --quiet statsmodels==0.14.4
	.venv/bin/python scripts/reference/statistics_fixture.py Tests/StatisticsTests/Fixtures/statistics.json
	.venv/bin/python -c "import PIL" 2>/dev/null || .venv/bin/pip install --quiet pillow
	.venv/bin/python scripts/reference/exif_orientation_fixture.py Tests/DatasetsTests/Fixtures/exif-orientation.json

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
	rm -rf .build .build-fuzz
