# BatchLab — targets:
#   make reproduce   install system packages, build, run the default study pipeline, print the report path and the claims
#   make test        install system packages, build, run every test (a single-node Slurm runs meanwhile) and replay the
#                    fuzz corpora; REPORT_CHECK=1 also installs Chromium and opens the report in it (what CI runs: .ci/run)
#   make fuzz        libFuzzer on the pipeline loader, the one-file import and the store reader (FUZZ_SECONDS each)
#   make check-report open the report in headless Chromium: images loaded, none blank, screenshots in artifacts/report-check
#   make bench       build in release and print the benchmark tables (data import speed; BatchLab vs PyTorch)
#   make fixtures    regenerate the committed PyTorch oracles (training core, landscape, Hessian, noise scale), scipy L-BFGS-B, statistics and Pillow EXIF fixtures
#                    (packages pinned in scripts/requirements-reference.txt; needs network access to PyPI)
#   make deps        install the Debian packages (idempotent; skips apt when all are present); deps-report adds Chromium
#   make clean       remove build folders
SHELL := /bin/bash
.PHONY: reproduce test bench fixtures deps deps-report build clean check-report fuzz

deps:
	@scripts/install-deps.sh

# Chromium only for the report check (make check-report, make test REPORT_CHECK=1).
deps-report:
	@scripts/install-deps.sh --report-check

build: deps
	swift build

# swift test cannot re-execute itself like the executables do (NumericEnvironment.ensureFastBLAS),
# so the OpenBLAS kernel is chosen here, before the process starts.
FAST_BLAS = env $$(scripts/openblas-coretype.sh --env)

# The log is kept so the run can end by saying which conv engines (kernel sets) this CPU tested.
# REPORT_CHECK=1 installs Chromium and makes the report test open the page in it (without it, and
# without Chromium, that part of ReportCLITests is skipped, saying so).
# A real single-node Slurm runs during the tests (SlurmTests; they skip, saying why, where it cannot
# start, e.g. without root); its daemons are stopped afterwards whatever the tests did.
test: deps $(if $(REPORT_CHECK),deps-report)
	swift build --build-tests
	@mkdir -p artifacts
	@if scripts/slurm-cluster.sh start > artifacts/slurm-cluster.log 2>&1; then echo "slurm: single-node cluster up"; \
	  else echo "slurm: no cluster ($$(tail -1 artifacts/slurm-cluster.log)); SlurmTests will skip"; fi
	trap 'scripts/slurm-cluster.sh stop >> artifacts/slurm-cluster.log 2>&1' EXIT INT TERM; \
	  set -o pipefail; $(FAST_BLAS) $(if $(REPORT_CHECK),BATCHLAB_REPORT_CHECK=1) swift test --skip-build --disable-swift-testing 2>&1 \
	  | tee artifacts/test.log
	@grep -h "engines tested" artifacts/test.log | sort -u
	@if grep -q "SlurmTests.*skipped" artifacts/test.log; then echo "slurm: SlurmTests SKIPPED (no cluster)"; \
	  else echo "slurm: SlurmTests ran on a real Slurm: $$(grep -c "Test Case 'SlurmTests.*passed" artifacts/test.log) passed"; fi
	.build/debug/batchlab-fuzz replay Fuzz

# libFuzzer on each target for FUZZ_SECONDS (default 600) in a separate instrumented build
# (.build-fuzz); new inputs go to artifacts/fuzz/TARGET, crashers to artifacts/fuzz/TARGET-crash-*.
# Minimise a corpus into Fuzz/corpus with FUZZ_MERGE=1; copy crashers, once fixed, to Fuzz/regressions.
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= pipeline import store
# Linked with lld: ld.gold (swiftc's default on Linux) dies with an internal error on the sanitizer
# build. Swift toolchains ship ld.lld; Debian's lld package is the fallback. LeakSanitizer gets
# Fuzz/lsan.supp (objects of Swift's lazy globals, which it cannot see through; see the file).
fuzz: deps
	@command -v ld.lld >/dev/null || scripts/install-deps.sh lld
	swift build -c release --product batchlab-fuzz --build-path .build-fuzz -Xswiftc -use-ld=lld \
	  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xcc -fsanitize=fuzzer-no-link,address
	export LSAN_OPTIONS=suppressions=$(CURDIR)/Fuzz/lsan.supp; \
	for t in $(FUZZ_TARGETS); do \
	  mkdir -p artifacts/fuzz/$$t; \
	  if [ -n "$(FUZZ_MERGE)" ]; then \
	    mkdir -p artifacts/fuzz/$$t-min; \
	    .build-fuzz/release/batchlab-fuzz $$t -merge=1 -use_counters=0 artifacts/fuzz/$$t-min Fuzz/corpus/$$t artifacts/fuzz/$$t || exit 1; \
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
	.build/release/batchlab-bench datasets
	.build/release/batchlab-bench store
	.build/release/batchlab-bench pipeline
	scripts/reference/venv.sh
	.venv/bin/python scripts/reference/bench_landscape_pytorch.py --out artifacts/bench-pytorch-landscape.json
	.build/release/batchlab-bench landscape --pytorch artifacts/bench-pytorch-landscape.json
	.build/release/batchlab-bench core --python .venv/bin/python

fixtures:
	scripts/reference/venv.sh
	.venv/bin/python scripts/reference/oracle.py Tests/NNTests/Fixtures/oracle-tiny.json
	.venv/bin/python scripts/reference/landscape_oracle.py Tests/StudyTests/Fixtures/landscape-tiny.json
	.venv/bin/python scripts/reference/hessian_oracle.py Tests/CurvatureTests/Fixtures/hessian-tiny.json
	cd scripts/reference && ../../.venv/bin/python noise_scale_oracle.py ../../Tests/StudyTests/Fixtures/noise-scale-tiny.json
	.venv/bin/python scripts/reference/lbfgsb_fixture.py
	.venv/bin/python scripts/reference/statistics_fixture.py Tests/StatisticsTests/Fixtures/statistics.json
	.venv/bin/python scripts/reference/exif_orientation_fixture.py Tests/DatasetsTests/Fixtures/exif-orientation.json

# The release binary is rebuilt only when a source file is newer: a no-op `swift build` alone takes
# ~4 s here, and a second `make reproduce` with nothing changed should take well under 3 s.
RELEASE_INPUTS := Package.swift $(shell find Sources -type f)
.build/release/batchlab: $(RELEASE_INPUTS)
	swift build -c release --product batchlab
	@touch $@

# Ends with the claims table of the report it published (verdicts, effects and intervals).
reproduce: deps .build/release/batchlab
	.build/release/batchlab reproduce
	@cat artifacts/report/study/claims.txt

# The report of the default pipeline as a reader sees it (run make reproduce first).
check-report: deps-report
	scripts/check-report.sh artifacts/report/study/index.html artifacts/report-check

clean:
	rm -rf .build .build-fuzz
