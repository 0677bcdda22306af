# fftforge -- the two commands a new user needs:
#   make demo   set up .venv if absent, generate a core, simulate it against the
#               bit-true reference, print SQNR and latency
#   make test   set up .venv if absent, run the test suite (< 15 min on 2 cores)
# Everything installs from PyPI into .venv; no root needed.

PYTHON  ?= python3
VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.fftforge-installed
PYTEST_ARGS ?=

.PHONY: demo test test-full venv bench clean formal

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip>=24" "setuptools>=69"
	$(PY) -m pip install -q -e '.[test]'
	@touch $@

demo: $(STAMP)
	$(VENV)/bin/fftforge demo

# -n auto: pytest-xdist, one worker per core (Verilator builds, proofs and
# place-and-route runs are independent); worksteal: an idle worker takes
# tests queued on the other, so a long test near the end leaves no tail
test: $(STAMP)
	$(PY) -m pytest -q -n auto --dist worksteal -m "not slow" $(PYTEST_ARGS)

# everything, the slow tests included: the whole FFT matrix (312 cores in
# 34 Verilator models), every stream proof and mutant, the board builds
test-full: $(STAMP)
	FFTFORGE_FULL=1 $(PY) -m pytest -q -n auto --dist worksteal $(PYTEST_ARGS)

formal: $(STAMP)
	$(PY) -m fftforge.cli prove

bench: $(STAMP)
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf build out sim_build .pytest_cache
