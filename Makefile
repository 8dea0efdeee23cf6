# Mutu task runner. `make run` and `make test` set everything up from nothing (see README).
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON := $(shell scripts/find-python.sh)
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export AMQP_URL ?= amqp://guest:guest@127.0.0.1:5672/
PYTEST := $(BIN)/pytest
CODE := shared services mutu tests $(wildcard bench)

.PHONY: help env broker ops-tools run test unit integration e2e faults cluster cluster-faults cluster-stop k8s lint fmt typecheck schemas asyncapi bench demo screenshots clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(UV):
	@test -n "$(PYTHON)" || { echo "Python >= 3.13 is required" >&2; exit 1; }
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	UV_PYTHON=$(PYTHON) $(UV) sync --frozen --quiet
	@touch $@

env: $(VENV)/.synced ## create the virtual environment from the lock file

broker: ## make sure RabbitMQ answers at AMQP_URL (start or install it)
	@scripts/ensure-rabbitmq.sh

ops-tools: ## make sure promtool, docker-compose, chromium, chromium-driver, haproxy, node, kubectl and the pinned AsyncAPI parser are installed (apt as root, npm ci)
	@scripts/ensure-ops-tools.sh

run: env broker ## start the embedded store and the four services (Ctrl-C stops them)
	$(BIN)/mutu run

test: env broker ops-tools lint typecheck ## lint, type-check and run the whole suite on the real broker and store
	$(PYTEST)

unit: env ops-tools ## unit tests only (no broker, no store)
	$(PYTEST) tests/unit tests/docs

integration: env broker ## integration tests on RabbitMQ and the embedded store
	$(PYTEST) -m integration

e2e: env broker ## the four services end to end
	$(PYTEST) -m e2e

faults: env broker ## fault-injection suite (kills, broker restart, poison messages)
	$(PYTEST) tests/faults

cluster: env ops-tools ## start 3 RabbitMQ nodes behind HAProxy on loopback and print the AMQP address (own names, ports, cookie)
	@$(BIN)/python -m tests.cluster.local start var/cluster

cluster-faults: env broker ops-tools ## the RabbitMQ cluster fault test alone (3 nodes, node kills; `make test` runs it too)
	$(PYTEST) -m cluster tests/cluster

cluster-stop: env ## stop what `make cluster` started
	@$(BIN)/python -m tests.cluster.local stop var/cluster

k8s: env ops-tools ## render deploy/k8s (OVERLAY=dev|prod) to stdout
	@PATH="$$PATH:$(CURDIR)/.tools/bin" kubectl kustomize deploy/k8s/overlays/$(or $(OVERLAY),dev)

lint: env ## ruff check and format check
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)

fmt: env ## fix what ruff can fix and format
	$(BIN)/ruff check --fix $(CODE)
	$(BIN)/ruff format $(CODE)

typecheck: env ## mypy --strict on shared, services and mutu
	$(BIN)/mypy

schemas: env ## regenerate the committed JSON Schemas of the events
	$(BIN)/python -m shared.contract.schemas schemas

asyncapi: env ## regenerate docs/asyncapi.yaml from what the services consume and publish
	$(BIN)/mutu asyncapi

demo: env ## simulate a quarter of Kecamatan Candisari on the running services (`make run` first)
	$(BIN)/mutu demo $(DEMO_ARGS)
	$(BIN)/mutu report --html var/report.html

screenshots: env broker ops-tools ## a screenshot of each page (own stack + demo at small scale) under var/screenshots/
	$(BIN)/python -m tests.screenshots var/screenshots

bench: env broker ## benchmarks: JSON lines under bench/results/ and a table (see bench/README.md)
	$(BIN)/python -m bench.run

clean: ## remove the environments and local data
	rm -rf $(VENV) .tools var .pytest_cache .mypy_cache .ruff_cache
