# Two commands: `make run` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     ?= sqlite:///linksim.db

.PHONY: run test install lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Until the HTTP server exists, `make run` loads the demo data into linksim.db and shows the parties;
# then try the rules by hand with `.venv/bin/linksim ...` (docs/try-the-rules.md).
run: install
	$(BIN)/linksim --db $(DB) init --fixtures demo --fresh
	$(BIN)/linksim --db $(DB) show
	@echo
	@echo "Try the rules by hand: $(BIN)/linksim --help, and docs/try-the-rules.md for every rule."

test: install
	bash scripts/test.sh
	$(MAKE) --no-print-directory lint

lint: install
	$(BIN)/ruff check auth_server seller_client mobile_stub tests
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis linksim.db linksim.db-wal linksim.db-shm .pg
