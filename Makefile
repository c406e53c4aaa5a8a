# The two commands of the README: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test audit install install-test assets services lint format bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

install: $(BIN)/python assets
	$(BIN)/pip install -q -e .

install-test: $(BIN)/python assets
	$(BIN)/pip install -q -e '.[test,audit]'

# Bootstrap and htmx come from the npm registry (package.json); Node is installed with apt
# when missing.
assets:
	@command -v npm >/dev/null 2>&1 || (apt-get update -q && apt-get install -y -q nodejs npm)
	@[ -d node_modules/bootstrap ] && [ -d node_modules/htmx.org ] && [ -d node_modules/axe-core ] || npm install --no-audit --no-fund --silent

run: install
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py seed_demo
	@echo "Serving on http://127.0.0.1:8000 (periodic jobs every $${LIFECYCLE_LOOP:-60}s in the background)"
	$(BIN)/python manage.py run_lifecycle_jobs --loop $${LIFECYCLE_LOOP:-60} > var/jobs.log 2>&1 & \
	  trap 'kill $$!' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver 127.0.0.1:8000

services:
	@bash scripts/ensure_services.sh

test: install-test services
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=helpdesk.settings.test
	$(BIN)/bandit -q -c pyproject.toml -r accounts tickets links attachments helpdesk
	@bash scripts/audit.sh
	$(BIN)/pytest -n 2 --dist loadfile -q

# pip-audit asks a vulnerability service (PyPI's JSON API, or OSV) about every installed package;
# a machine that reaches only a package mirror cannot ask it, and scripts/audit.sh says so there
# instead of failing (AUDIT_REQUIRED=1 makes that an error), so `make test` passes on such a
# machine too. `make audit` runs the audit alone.
audit: install-test
	@bash scripts/audit.sh

# The benchmark suite (bench/run.py): `make bench` at 1,000,000 tickets, `make bench ARGS=--quick`
# at 100,000. Needs PostgreSQL and Redis on 127.0.0.1 (make services).
bench: install services
	$(BIN)/python bench/run.py $(ARGS)

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules var
