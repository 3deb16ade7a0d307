# The two commands: `make run` and `make test`. Everything else is set-up they share.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BUN_VERSION := 1.4.4
BUN := .tools/node_modules/bun/bin/bun.exe

.PHONY: run test setup lint chromium dovecot bench loadtest clean container-test

setup: $(STAMP) $(BUN)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Reflex needs bun; it is on the npm registry, so no download from the web at run time.
$(BUN):
	npm install --prefix .tools --no-audit --no-fund --loglevel=error bun@$(BUN_VERSION)

run: setup
	$(BIN)/helpdesk run

# Debian's Chromium for the end-to-end tests (Playwright never downloads a browser here).
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Dovecot for the e-mail channel's IMAP tests (started by the tests themselves on a free port).
dovecot:
	@command -v dovecot >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd; }

test: setup chromium dovecot
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# The container image built and run with podman (about 10 minutes from a cold cache; see README "Operating it").
# Not part of `make test`: it downloads every Python package into the image build.
PODMAN := podman --runtime runc --cgroup-manager cgroupfs
BASE_IMAGE := localhost/bookworm-python:3.11
container-test: setup
	@command -v podman >/dev/null && command -v runc >/dev/null && command -v debootstrap >/dev/null || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc debootstrap; }
	@# This sandbox refuses setrlimit, which podman's default ulimits need.
	@test -f /etc/containers/containers.conf || \
		{ mkdir -p /etc/containers && printf '[containers]\ndefault_ulimits = []\n' > /etc/containers/containers.conf; }
	@$(PODMAN) image exists $(BASE_IMAGE) || docker/base-image.sh $(BASE_IMAGE)
	HELPDESK_TEST_BASE_IMAGE=$(BASE_IMAGE) $(BIN)/python -m pytest -p no:cacheprovider -s tests/container

# Locust load tests (not part of `make test`): SCENARIO=baseline|load|stress|spike|endurance|mixed, optional URL=...
SCENARIO ?= baseline
loadtest: setup
	$(BIN)/python loadtests/run.py --scenario $(SCENARIO) $(if $(URL),--url $(URL),)

bench: setup
	$(BIN)/python bench/api_latency.py

clean:
	rm -rf .web .web-* .states $(VENV) .tools
