# supportdesk — the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

.PHONY: run test test-sqlite test-postgres check lint format messages translations bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

translations: $(STAMP)
	$(BIN)/supportdesk compile_translations

## Start the whole product (web server, worker) on SQLite with demo data at http://127.0.0.1:8000
run: translations
	$(BIN)/supportdesk start

## The whole test suite: static checks, then SQLite, then PostgreSQL when reachable.
test: check test-sqlite test-postgres

test-sqlite: translations
	$(BIN)/pytest $(PYTEST_ARGS)

test-postgres: translations
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(TEST_DATABASE_URL)'.replace('postgres://','postgresql://',1), connect_timeout=3).close()" 2>/dev/null; then \
		DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest $(PYTEST_ARGS); \
	elif [ -n "$$REQUIRE_POSTGRES" ]; then \
		echo "PostgreSQL at $(TEST_DATABASE_URL) is required but not reachable"; exit 1; \
	else \
		echo "PostgreSQL not reachable at $(TEST_DATABASE_URL): PostgreSQL run skipped"; \
	fi

check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy supportdesk/core supportdesk/tickets/transitions.py supportdesk/tickets/fields.py supportdesk/tickets/tags.py supportdesk/customers/phones.py

lint: check

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Extract translatable strings into the catalogs (needs GNU gettext: apt install gettext).
messages: $(STAMP)
	cd supportdesk && ../$(BIN)/supportdesk makemessages --no-obsolete --no-location -l vi -l pl -l zh_Hant -l zh_Hans --ignore "*/tests/*"

## Benchmark suite (not part of `make test`): starts the server as `make run` does on a seeded data
## set and times each scenario with one client; e.g. BENCH_ARGS="--data-dir /tmp/bench-1m".
## See `$(BIN)/python -m bench.suite --help` and docs/benchmarks.md.
bench: $(STAMP)
	$(BIN)/python -m bench.suite $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var test-artifacts
