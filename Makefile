# budgetql: `make serve` runs the server, `make test` runs the whole suite.
# Both set everything up first (a .venv with the pinned dependencies).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install serve test test-fast test-sqlite postgres browser federation-gateway migrate schema clean bench bench-smoke bench-tools bench-peers

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,bench]'
	rm -f $(VENV)/.installed-*
	touch $@

serve: install
	$(VENV)/bin/budgetql serve

migrate: install
	$(VENV)/bin/budgetql migrate

# Start the local PostgreSQL server when it is installed and stopped (no-op otherwise).
postgres:
	@sh .ci/ensure-postgres

# Install Chromium for the browser tests when it is missing and apt-get can (no-op otherwise).
browser:
	@sh .ci/ensure-browser

# The federation test's real Apollo gateway and second subgraph (tests/e2e/federation/):
# `npm ci` from the committed lock when node_modules is missing or from another lock.
# Without npm (or when npm ci fails) it says why; CI=true then fails, else the test skips.
federation-gateway:
	@sh .ci/ensure-federation-gateway

# The whole suite, bench-smoke included (tests/bench/), so the benchmark cannot rot.
# Two workers (one per core here), each test file on one of them: every worker has its own
# PostgreSQL database and SQLite files, so files never share state.
PYTEST_WORKERS ?= auto
test: install postgres browser federation-gateway bench-tools bench-peers
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile

# The in-process kinds (unit, graphql, rest) on both databases: the quick loop while working.
test-fast: install postgres
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile tests/unit tests/graphql tests/rest

test-sqlite: install browser federation-gateway
	$(PY) -m pytest -k "not postgres"

# The benchmark of the real server on PostgreSQL, and against its peers (see bench/README.md): ~6 min once seeded.
bench: install postgres bench-tools bench-peers
	$(PY) -m bench

# The same harness on a small data set with short runs (under a minute).
bench-smoke: install postgres bench-tools bench-peers
	$(PY) -m bench --smoke

# wrk, the load generator, from the distribution when missing (no-op otherwise).
bench-tools:
	@sh .ci/ensure-wrk

# The peers the benchmark measures against (figures P1, P2), each in its own environment:
# fin-infra in bench/peers/.venv-fin-infra, Actual in bench/peers/actual/node_modules.
# Never fails: a peer that cannot be installed is reported as not measured.
bench-peers:
	@PYTHON=$(PYTHON) sh .ci/ensure-peers

schema: install
	$(VENV)/bin/budgetql export-schema schema.graphql

clean:
	rm -rf $(VENV) budgetql.db budgetql.db-wal budgetql.db-shm
