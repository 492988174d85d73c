#!/usr/bin/env bash
# Checks the live gateway against its own OpenAPI document with schemathesis (from PyPI):
# every check, generated requests valid and invalid, every operation, stateful sequences.
# Its own nats-server and gateway (the debug build `make test` has) on free ports, no
# workers: what is queued stays queued. Callbacks are not sent (no notifier), so the policy
# may allow every address, and the waits are short so that held requests end quickly.
# Run by `make test`; EXEC_FUZZ_SEED picks another seed (a fixed one keeps CI repeatable).
source "$(dirname "$0")/common.sh"

SCHEMATHESIS_VERSION=4.32.5
SEED=${EXEC_FUZZ_SEED:-20261201}
EXAMPLES=${EXEC_FUZZ_EXAMPLES:-50}

venv=$CACHE_DIR/schemathesis-$SCHEMATHESIS_VERSION
if [ ! -x "$venv/bin/st" ]; then
    python3 -m venv --help >/dev/null 2>&1 && python3 -c 'import ensurepip' 2>/dev/null || {
        log "installing python3-venv"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >/dev/null
    }
    log "installing schemathesis $SCHEMATHESIS_VERSION into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi

work=$(mktemp -d /tmp/exec-engine-openapi.XXXXXX)
cleanup() {
    stop_pid_file "$work/gateway.pid"
    stop_pid_file "$work/nats.pid"
    rm -rf "$work"
}
trap cleanup EXIT
trap "exit 1" INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
nats_port=$(free_port)
gateway_port=$(free_port)
setsid nats-server -c "$ROOT/nats/nats-server.conf" -js -sd "$work/js" -a 127.0.0.1 -p "$nats_port" \
    >"$work/nats.log" 2>&1 </dev/null &
echo $! >"$work/nats.pid"
NATS_URL=nats://127.0.0.1:$nats_port GATEWAY_ADDR=127.0.0.1:$gateway_port \
    CALLBACK_ALLOW_PRIVATE=true MAX_WAIT_SECS=1 EVENTS_MAX_SECS=1 RUST_LOG=warn \
    setsid "$CARGO_TARGET_DIR/debug/gateway" >"$work/gateway.log" 2>&1 </dev/null &
echo $! >"$work/gateway.pid"
for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$gateway_port/readyz" >/dev/null && break
    sleep 0.2
done

# From the temp dir, so that hypothesis keeps its example database there (each run starts
# afresh). One worker: CPython 3.11 can fail compiling on two threads at once ("AST
# constructor recursion depth mismatch").
if ! (cd "$work" && "$venv/bin/st" run "http://127.0.0.1:$gateway_port/openapi.json" \
    --checks all --max-examples "$EXAMPLES" --seed "$SEED" --workers 1 --no-color \
    --suppress-health-check all >"$work/schemathesis.txt" 2>&1); then
    cat "$work/schemathesis.txt"
    log "the gateway's log:"; tail -50 "$work/gateway.log"
    exit 1
fi
tail -20 "$work/schemathesis.txt"
