# Build, run and test the credential services. `make` (or `make help`) lists the targets.
#
# Every target uses cargo's one shared target directory (target/, or $CARGO_TARGET_DIR).
# Set TEST_DATABASE_URL to run the same tests against PostgreSQL, for example
#   make test TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
# release (the default for `make run` and `make build`) or debug.
MAKE_PROFILE ?= release
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test

ifdef TEST_DATABASE_URL
export TEST_DATABASE_URL
endif
export MAKE_PROFILE

ifeq ($(MAKE_PROFILE),release)
PROFILE_FLAG := --release
else ifeq ($(MAKE_PROFILE),debug)
PROFILE_FLAG :=
else
$(error MAKE_PROFILE must be release or debug, not '$(MAKE_PROFILE)')
endif

.PHONY: help build run test test-pg lint reliability fuzz fuzz-smoke openapi bench bench-smoke doc clean-var

help: ## List the targets
	@echo "Usage: make <target> [VAR=value]"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "Variables: MAKE_PROFILE=release|debug (build, run), TEST_DATABASE_URL=postgres://... (test)"

build: ## Build every service (MAKE_PROFILE=debug for a debug build)
	$(CARGO) build --workspace --bins $(PROFILE_FLAG)

run: ## Build and serve iam, lakeformation, swr and tcr (and registries, if installed); writes var/local-stack.env
	bash scripts/run-stack.sh

test: ## Run every test: unit, integration, doc, SDK and docs examples, registry e2e for swr and tcr (honours TEST_DATABASE_URL)
	@if $(CARGO) nextest --version >/dev/null 2>&1; then \
		echo "+ $(CARGO) nextest run --workspace --all-features"; \
		$(CARGO) nextest run --workspace --all-features; \
	else \
		echo "cargo-nextest not installed: using cargo test"; \
		echo "+ $(CARGO) test --workspace --all-features --lib --bins --tests"; \
		$(CARGO) test --workspace --all-features --lib --bins --tests; \
	fi
	$(CARGO) test --workspace --doc
	bash scripts/sdk-test.sh
	bash tests/registry/swr-e2e.sh
	bash tests/registry/tcr-e2e.sh

test-pg: ## Run `make test` against PostgreSQL (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test)
	$(MAKE) test TEST_DATABASE_URL='$(or $(TEST_DATABASE_URL),$(PG_TEST_URL))'

lint: ## Check formatting and run clippy with warnings denied
	$(CARGO) fmt --all --check
	$(CARGO) fmt --manifest-path fuzz/Cargo.toml --check
	$(CARGO) fmt --manifest-path fuzz/seeds/mint/Cargo.toml --check
	$(CARGO) clippy --workspace --all-targets --all-features -- -D warnings

reliability: ## Fault suite: kill -9, database and issuer outages, 2 replicas behind haproxy, rolling restart, hostile clients; writes bench/reliability.md
	bash tests/reliability/run.sh

fuzz: ## Fuzz: schemathesis against every running service, then each cargo-fuzz target (fuzz/) for 60 s; writes bench/fuzz.md
	bash scripts/fuzz.sh

fuzz-smoke: ## The fuzz run in brief (a few seconds per target, few examples per operation), as CI runs it; writes var/fuzz-smoke.md
	bash scripts/fuzz.sh --smoke

openapi: ## Write each service's served OpenAPI document to docs/openapi/<service>.json (review the diff)
	OPENAPI_WRITE=1 $(CARGO) nextest run --workspace -E 'test(served_document_is_the_committed_one)'

bench: ## Benchmark every service on SQLite and PostgreSQL against this machine's ceilings; writes bench/results.md
	bash scripts/bench.sh

bench-smoke: ## Run each benchmark for a second on the debug build, as a check that they work (var/bench-smoke.md)
	bash scripts/bench.sh --smoke

doc: ## Build the API documentation of credential-core (target/doc)
	$(CARGO) doc --no-deps -p credential-core

clean-var: ## Delete var/: local databases, development keys, logs, registry storage, local-stack.env, the SDK venv
	rm -rf var/
