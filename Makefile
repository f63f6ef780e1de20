# budgetql: `make serve` runs the server, `make test` runs the whole suite.
# Both set everything up first (a .venv with the pinned dependencies).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install serve test test-sqlite postgres browser migrate schema clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
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

test: install postgres browser
	$(PY) -m pytest

test-sqlite: install browser
	$(PY) -m pytest -k "not postgres"

schema: install
	$(VENV)/bin/budgetql export-schema schema.graphql

clean:
	rm -rf $(VENV) budgetql.db budgetql.db-wal budgetql.db-shm
