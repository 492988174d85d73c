# The two commands of the README, and a few helpers.
.PHONY: up down test bench openapi receiver services-image

# Build output is kept outside the clone, so a fresh clone builds incrementally.
export CARGO_TARGET_DIR ?= $(or $(EXEC_CACHE_DIR),$(HOME)/.cache/exec-engine)/target

up:        ## Bring the whole engine up on this machine (installs what is missing).
	@bash scripts/up.sh

down:      ## Stop what `make up` started.
	@bash scripts/down.sh

test:      ## Run the whole test suite: lint, unit tests and the end-to-end suite.
	@bash scripts/test.sh

bench:     ## Measure the engine (started with `make up` if none answers) against docker run; writes bench/latest.md.
	@bash scripts/bench.sh

openapi:   ## Rewrite openapi/openapi.json from the gateway's code.
	@UPDATE_OPENAPI=1 cargo test --quiet -p gateway checked_in_openapi_spec_is_current

receiver:  ## Print every callback sent to http://127.0.0.1:5001 (as the spec's callback_receiver.py).
	@bash scripts/receiver.sh

services-image:  ## Build the images docker-compose.yml runs: the sandboxes' and exec-engine/services:latest.
	@bash scripts/services-image.sh
