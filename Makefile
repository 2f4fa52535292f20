# EckoSpace API. `make dev` runs the whole API locally; `make test` runs every test tier.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The Lambda runtime is python3.13; pyenv machines pick it (and 3.12 for SAM CLI) by name.
PYENV_VERSION ?= $(shell pyenv versions --bare 2>/dev/null | grep -E '^3\.13\.' | tail -1):$(shell pyenv versions --bare 2>/dev/null | grep -E '^3\.12\.' | tail -1)
export PYENV_VERSION
PYTHON ?= python3.13
SAM_PYTHON ?= python3.12

VENV := .venv
SAM_VENV := .venv-sam
PY := $(VENV)/bin/python
export PYTHONPATH := $(CURDIR)/infra/local:$(CURDIR)/layers/core/python
export SAM_CLI_TELEMETRY := 0
export PATH := $(CURDIR)/$(SAM_VENV)/bin:$(PATH)

ENV ?= dev

.PHONY: help dev test test-unit test-integration test-e2e test-infra bench generate openapi token build deploy sync lock clean

help:
	@echo "make dev      run the whole API locally (FRESH=1 to start from nothing, ECKO_PORT=3000)"
	@echo "make test     set up and run every test tier"
	@echo "make bench    run the benchmarks (bench/results.json, bench/results.md)"
	@echo "make generate regenerate what derives from the code and infra/modules (module stacks, routes, OpenAPI)"
	@echo "make token    mint a dev token: make token SCOPES='translations:read' [SUBJECT=me]"
	@echo "make build    sam build; make deploy ENV=dev|staging|prod"
	@echo "make sync     one function's code to dev: make sync FUNCTION=PostsGetFunction"

$(VENV)/.installed: requirements/dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.lock
	touch $@

$(SAM_VENV)/.installed: requirements/sam.lock
	test -x $(SAM_VENV)/bin/python || $(SAM_PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/sam.lock
	touch $@

# The real realtime clients the tests drive (pusher-js, Laravel Echo), from the committed lockfile.
REALTIME_CLIENTS := tests/e2e/realtime
$(REALTIME_CLIENTS)/node_modules/.installed: $(REALTIME_CLIENTS)/package-lock.json
	cd $(REALTIME_CLIENTS) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's Chromium, the headless browser the realtime browser test drives; installed only when missing.
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@echo "installing Debian's chromium for the browser tests"
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } \
		|| { echo "could not install chromium: as root, run apt-get install chromium (the browser tests need $@)" >&2; exit 1; }
	@test -x $@ || { echo "chromium is installed but $@ is missing" >&2; exit 1; }

dev: $(VENV)/.installed
	$(PY) -m eckolocal

test: $(VENV)/.installed $(SAM_VENV)/.installed $(REALTIME_CLIENTS)/node_modules/.installed $(CHROMIUM)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy layers/core/python/eckospace
	$(PY) -m pytest tests

test-unit: $(VENV)/.installed
	$(PY) -m pytest tests/unit

test-integration: $(VENV)/.installed
	$(PY) -m pytest tests/integration

test-e2e: $(VENV)/.installed $(REALTIME_CLIENTS)/node_modules/.installed $(CHROMIUM)
	$(PY) -m pytest tests/e2e

test-infra: $(VENV)/.installed $(SAM_VENV)/.installed
	$(PY) -m pytest tests/infra

bench: $(VENV)/.installed $(SAM_VENV)/.installed
	$(PY) -m bench

generate: $(VENV)/.installed
	$(PY) -m eckolocal.generate --write

openapi: generate

token: $(VENV)/.installed
	@$(PY) infra/scripts/mint_token.py --scopes "$(SCOPES)" $(if $(SUBJECT),--subject $(SUBJECT))

build: $(SAM_VENV)/.installed
	sam build --parallel

deploy: build
	sam deploy --config-env $(ENV)

# One function's code straight to dev (`sam sync --code`: no CloudFormation, no canary; dev only).
sync: $(VENV)/.installed $(SAM_VENV)/.installed
	@test -n "$(FUNCTION)" || { echo "usage: make sync FUNCTION=<LogicalId>, e.g. PostsGetFunction" >&2; exit 2; }
	sam sync --code --no-watch --config-env dev --resource-id "$$($(PY) infra/scripts/function_path.py $(FUNCTION))"

lock:
	rm -rf /tmp/eckospace-lock && $(PYTHON) -m venv /tmp/eckospace-lock
	/tmp/eckospace-lock/bin/pip install --quiet -r requirements/dev.in
	/tmp/eckospace-lock/bin/pip freeze > requirements/dev.lock

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .pytest_cache .ruff_cache .mypy_cache
