# The two commands of the README. Each creates .venv when missing and installs what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := var/demo

.PHONY: demo test bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# The real pipeline on the example division's bundled sample items, into a fresh SQLite file.
demo: $(STAMP)
	rm -rf $(DEMO)
	$(BIN)/hallwatch check-config config/example
	$(BIN)/hallwatch init --config config/example --data-dir $(DEMO)
	$(BIN)/hallwatch run --config config/example --data-dir $(DEMO)
	$(BIN)/hallwatch report --config config/example --data-dir $(DEMO)
	@echo
	@echo "The database is $(DEMO)/hallwatch.sqlite3. Look further with, for example:"
	@echo "  $(BIN)/hallwatch findings --config config/example --data-dir $(DEMO) --category student_pii --show-text"
	@echo "  $(BIN)/hallwatch status --config config/example --data-dir $(DEMO)"

# The whole suite. PostgreSQL tests use HALLWATCH_TEST_POSTGRES_URL, or a loopback server started
# here when PostgreSQL is installed; under CI=true any skipped test fails the run.
test: $(STAMP)
	@if [ -z "$$HALLWATCH_TEST_POSTGRES_URL" ] && ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then \
	  eval "$$(scripts/start-postgres.sh)"; export HALLWATCH_TEST_POSTGRES_URL; fi; \
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(DEMO) .pytest_cache test-artifacts
