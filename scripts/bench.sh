#!/usr/bin/env bash
# `make bench`: measures the engine at BENCH_GATEWAY (default the one `make up` starts,
# started now if nothing answers there) and writes the table to bench/latest.md.
source "$(dirname "$0")/common.sh"
cd "$ROOT"
GATEWAY=${BENCH_GATEWAY:-http://127.0.0.1:8000}
if ! curl -fsS "$GATEWAY/healthz" >/dev/null 2>&1; then
    log "no engine answers at $GATEWAY: starting one with make up"
    bash scripts/up.sh
fi
log "building the bench"
cargo build --quiet --release -p bench
BENCH_GATEWAY=$GATEWAY "$CARGO_TARGET_DIR/release/bench"
