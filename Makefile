# Two commands: `make run` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     ?= sqlite:///linksim.db
HOST   ?= 127.0.0.1
PORT   ?= 8765
# pytest-xdist workers for `make test` (0: one process, no xdist)
TEST_WORKERS ?= 2

.PHONY: run test install bytecode lint bench fuzz crash scenarios wheel wheel-check readme-check docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Serving needs linksim alone; the tests (and lint, docs, benchmarks) need the test toolchain too.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip uninstall --quiet --yes linksim 2>/dev/null || true  # the distribution's old name
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip uninstall --quiet --yes linksim 2>/dev/null || true  # the distribution's old name
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed

# The project's own modules compiled ahead (pip compiles an installed wheel's, not an editable install's): where
# PYTHONDONTWRITEBYTECODE is set, every start would compile them again (about 70 ms of linksim serve's cold start).
# Only what changed since is compiled again.
bytecode: $(VENV)/.installed-run
	@$(BIN)/python -m compileall -q -j 0 auth_server linksim client_core seller_client mobile_stub

# `make run` loads the demo data into a fresh linksim.db and serves the mock TikTok identity provider;
# in another terminal, try the rules by hand with `.venv/bin/linksim ...` (docs/try-the-rules.md).
run: $(VENV)/.installed-run bytecode
	$(BIN)/linksim --db $(DB) serve --fixtures demo --host $(HOST) --port $(PORT)

test: install bytecode
	bash scripts/test.sh -n $(TEST_WORKERS)
	$(MAKE) --no-print-directory lint

lint: install
	$(BIN)/ruff check auth_server client_core seller_client mobile_stub linksim tests bench scripts
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache  # the layer contract in .importlinter: arrows point inward only

# linksim's speed beside its references, measured in one run (docs/benchmarks.md): writes bench/results/report.md
# and report.json. It installs wrk (Debian's) when missing and can, and the peer (npm) into a scratch folder.
# Not part of `make test`. BENCH_ARGS: e.g. --seconds 1 --rounds 1 for a quick look.
BENCH_ARGS ?=
bench: install bytecode
	@command -v wrk >/dev/null || (command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null) || \
		echo "wrk is missing: the Python driver (bench/python_driver.py) drives the load instead"
	$(BIN)/python -m bench $(BENCH_ARGS)

# schemathesis over every operation of /openapi.json with real ids and every check on, and its figures at the end
# (make test runs a short pass of it: 3 generated inputs an operation besides the coverage phase's; docs/security.md).
FUZZ_EXAMPLES ?= 100
fuzz: install
	LINKSIM_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -n 2 -p no:cacheprovider tests/fuzz

# The crash test's long run (make test runs 3 rounds): `linksim serve` killed with SIGKILL CRASH_ROUNDS times in the
# middle of links, token refreshes and clock moves, restarted, and checked; on SQLite and a throwaway PostgreSQL.
CRASH_ROUNDS ?= 11
CRASH_SEED ?= 13
crash: install
	LINKSIM_CRASH_ROUNDS=$(CRASH_ROUNDS) LINKSIM_CRASH_SEED=$(CRASH_SEED) bash scripts/test.sh -q -s -p no:cacheprovider tests/crash

# Every scenario shipped with linksim (make test runs them too, one pytest test each).
scenarios: install
	$(BIN)/linksim scenario run --builtin

# linksim's wheel in dist/, to install elsewhere before it is on PyPI: pip install dist/tiktok_linksim-*.whl
wheel: $(VENV)/.installed-run
	$(BIN)/python -m pip wheel --quiet --no-deps -w dist .
	@ls dist/tiktok_linksim-*.whl

# A partner's view: linksim's wheel in a new virtualenv, and a test suite that uses only the plugin's fixtures.
wheel-check: install
	VENV=$(VENV) bash scripts/check_wheel.sh

# README.md top to bottom in a fresh `git clone` of this repository (its HEAD: commit first), as a newcomer runs it:
# `make run` creates .venv, installs and serves, then every command in order, each checked against the text; it
# prints the time from the clone to the first linked account. (make test runs the same on a copy of the tree.)
readme-check: $(VENV)/.installed-run
	$(BIN)/python -m tests.cli.readme_walk

# The generated docs: the README's code table, docs/scenarios.md's action tables, docs/rules.md (tests check them).
docs: install
	$(BIN)/python scripts/update_readme_codes.py
	$(BIN)/python scripts/update_scenario_docs.py
	$(BIN)/python scripts/update_rules_doc.py

clean:
	rm -rf $(VENV) bench/results .pytest_cache .hypothesis linksim.db linksim.db-wal linksim.db-shm .pg dist build *.egg-info
