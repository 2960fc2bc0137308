# The two commands of README.md: `make run` and `make test`. Everything else supports them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
# `make test` runs the suite on 2 processes (pytest-xdist); TEST_WORKERS=0 runs it in one.
# PYTEST_ARGS passes anything else, e.g. PYTEST_ARGS='-m "not browser"' or PYTEST_ARGS=tests/collab.
TEST_WORKERS ?= 2
PYTEST_ARGS ?=

.PHONY: setup run test lint messages bench

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[test]"
	touch $@

static/vendor/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent vendor
	touch $@

setup: $(VENV)/.installed static/vendor/.installed

run: setup
	$(PY) manage.py migrate --no-input
	$(PY) manage.py setup_schedules
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py runserver 127.0.0.1:8000

test: setup
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile -rs $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

messages: setup
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=node_modules --ignore=static/vendor \
		--ignore=staticfiles --ignore=bench
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules

bench: setup
	$(PY) -m bench
