# The two commands of the README. Each creates .venv when missing and installs what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := var/demo
# the demo's Communications Manager signs in with this (demo data only)
DEMO_PASSWORD := demo-password-2026

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
	@echo "$(DEMO_PASSWORD)" | $(BIN)/hallwatch users add --config config/example --data-dir $(DEMO) \
	  marcus.delacroix@prairiehills-sd.ca --role communications_manager --name "Marcus Delacroix" --password-stdin
	$(BIN)/hallwatch queue list --config config/example --data-dir $(DEMO) --as marcus.delacroix@prairiehills-sd.ca
	@echo
	@echo "The database is $(DEMO)/hallwatch.sqlite3; urgent e-mails are in $(DEMO)/outbox/. Look further with:"
	@echo "  $(BIN)/hallwatch findings --config config/example --data-dir $(DEMO) --category student_pii --show-text"
	@echo "  $(BIN)/hallwatch queue show --config config/example --data-dir $(DEMO) --as marcus.delacroix@prairiehills-sd.ca ID"
	@echo "  $(BIN)/hallwatch governance --config config/example --data-dir $(DEMO)"
	@echo "  HALLWATCH_SECRET_KEY=$$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))') \\"
	@echo "    $(BIN)/hallwatch serve --config config/example --data-dir $(DEMO) --no-scheduler"
	@echo "  then sign in at http://127.0.0.1:8080/ as marcus.delacroix@prairiehills-sd.ca, password $(DEMO_PASSWORD)"

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
