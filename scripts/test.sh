#!/usr/bin/env bash
# `make test`: the whole suite. Installs and starts what it needs (Docker, nats-server, the
# sandbox images) and stops what it started. The end-to-end tests start their own NATS
# server and services on free ports, and the Compose test its own project on free ports, so
# they never clash with `make up`.
source "$(dirname "$0")/common.sh"

STATE=$(mktemp -d /tmp/exec-engine-test.XXXXXX)
# The Compose test's project, and its workers' DEPLOYMENT: the test takes it down itself,
# and this too, for a run cut short, whose containers would otherwise restart forever.
COMPOSE_TEST_PROJECT=exec-compose-test-$$
cleanup() {
    if [ -n "${OPENAPI_CHECK:-}" ]; then kill "$OPENAPI_CHECK" 2>/dev/null || true; fi
    if [ -n "${COMPOSE_STARTED:-}" ]; then
        docker-compose -p "$COMPOSE_TEST_PROJECT" -f "$ROOT/docker-compose.yml" down --volumes >/dev/null 2>&1 || true
        docker ps -aq --filter "label=exec-engine.deployment=$COMPOSE_TEST_PROJECT" | xargs -r docker rm -f >/dev/null || true
    fi
    stop_pid_file "$STATE/dockerd.pid"
    rm -rf "$STATE"
}
trap cleanup EXIT

ensure_packages
ensure_dockerd "$STATE"
build_images
cd "$ROOT"

if cargo fmt --version >/dev/null 2>&1 && cargo clippy --version >/dev/null 2>&1; then
    log "cargo fmt --check"
    cargo fmt --all -- --check
    log "cargo clippy -D warnings"
    cargo clippy --quiet --workspace --all-targets --features e2e -- -D warnings
else
    log "rustfmt or clippy is not installed with this toolchain; lint skipped"
fi
log "unit tests"
cargo test --quiet --workspace
case " $LANGUAGES " in
*" go "*)
    log "the Go harness: gofmt, go vet and its own tests (in its image)"
    docker run --rm --network none --tmpfs /tmp:rw,exec,mode=1777 -e HOME=/tmp \
        -e GOCACHE=/tmp/gocache -e GOFLAGS=-mod=mod -w /opt/harness/src --entrypoint sh \
        exec-sandbox-go:latest -c 'test -z "$(gofmt -l .)" && go vet ./... && go test ./...'
    ;;
esac
case " $LANGUAGES " in
*" python "*)
    log "fault injection (the services as processes, broken on purpose; python)"
    build_services debug
    cargo test --quiet --features e2e --test faults -- --test-threads=5
    ;;
esac
# Waits more than it computes: it runs beside the Compose and end-to-end suites.
log "the gateway against its OpenAPI document (schemathesis), in the background"
build_services debug
bash "$ROOT/scripts/openapi-check.sh" >"$STATE/openapi-check.log" 2>&1 &
OPENAPI_CHECK=$!
log "docker-compose.yml: up, the specification's examples, a worker scaled, down"
ensure_compose
# The image holds the debug build that the suite has anyway: a release build as well would
# be a second full compile, which a 2-core CI machine cannot spare in its time budget.
# Operators get the release build from `make services-image`.
build_services debug
image=$(build_services_image debug)
COMPOSE_STARTED=1
EXEC_SERVICES_IMAGE=$image COMPOSE_TEST_PROJECT=$COMPOSE_TEST_PROJECT \
    E2E_LANGUAGES=$(echo $LANGUAGES | tr ' ' ',') \
    cargo test --quiet --features e2e --test compose
# The whole suite in each sandbox mode (services/worker/src/pool.rs).
for mode in reuse pooled fresh; do
    log "end-to-end tests ($LANGUAGES; SANDBOX_MODE=$mode)"
    E2E_SANDBOX_MODE=$mode E2E_LANGUAGES=$(echo $LANGUAGES | tr ' ' ',') \
        cargo test --quiet --features e2e --test e2e -- --test-threads=1
done
log "the OpenAPI check (schemathesis)"
if ! wait "$OPENAPI_CHECK"; then
    OPENAPI_CHECK=
    cat "$STATE/openapi-check.log"
    exit 1
fi
OPENAPI_CHECK=
cat "$STATE/openapi-check.log"
