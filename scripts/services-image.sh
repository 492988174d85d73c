#!/usr/bin/env bash
# Builds exec-engine/services:latest (the release binaries and nats-server) for Compose.
source "$(dirname "$0")/common.sh"

ensure_packages
ensure_dockerd "$ROOT/data/pids"
ensure_base_image
(cd "$ROOT" && cargo build --release --quiet -p gateway -p worker -p notifier -p callback-receiver)
context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
for binary in gateway worker notifier callback-receiver; do
    cp "$CARGO_TARGET_DIR/release/$binary" "$context/"
done
cp "$ROOT/nats/nats-server.conf" "$ROOT/deploy/services.Dockerfile" "$context/"
docker build -q --network host --build-arg "BASE=$BASE_IMAGE" \
    -f "$context/services.Dockerfile" -t exec-engine/services:latest "$context" >/dev/null
log "built exec-engine/services:latest"
