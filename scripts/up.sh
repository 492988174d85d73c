#!/usr/bin/env bash
# `make up`: brings the whole engine up on this machine with embedded defaults. Installs
# what is missing, starts dockerd and nats-server unless they already run, builds the
# sandbox images and the services, and starts one gateway, one worker per language and
# one notifier in the background. Logs and PIDs live under ./data; `make down` stops them.
source "$(dirname "$0")/common.sh"

DATA=$ROOT/data
PIDS=$DATA/pids
LOGS=$DATA/logs
mkdir -p "$PIDS" "$LOGS" "$DATA/nats"
GATEWAY_ADDR=${GATEWAY_ADDR:-127.0.0.1:8000}
export NATS_URL=${NATS_URL:-nats://127.0.0.1:4222}

nats_host_port() { local hp=${NATS_URL#nats://}; echo "${hp%%/*}"; }

port_open() { (exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null; }

ensure_nats() {
    local hp
    hp=$(nats_host_port)
    if port_open "$hp"; then return 0; fi
    log "starting nats-server with JetStream on $hp, data in $DATA/nats"
    setsid nats-server -c "$ROOT/nats/nats-server.conf" -js -sd "$DATA/nats" \
        -a "${hp%:*}" -p "${hp##*:}" >"$LOGS/nats-server.log" 2>&1 </dev/null &
    echo $! >"$PIDS/nats-server.pid"
    for _ in $(seq 1 50); do port_open "$hp" && return 0; sleep 0.2; done
    log "nats-server did not come up; see $LOGS/nats-server.log"
    return 1
}

# start NAME BINARY [VAR=VALUE ...]: runs a service in the background unless it runs.
start() {
    local name=$1 binary=$2
    shift 2
    if pid_alive "$PIDS/$name.pid"; then
        log "$name already running (PID $(cat "$PIDS/$name.pid"))"
        return 0
    fi
    env "$@" setsid "$CARGO_TARGET_DIR/release/$binary" >"$LOGS/$name.log" 2>&1 </dev/null &
    echo $! >"$PIDS/$name.pid"
}

ensure_packages
ensure_dockerd "$PIDS"
ensure_nats
build_images
log "building the services (release)"
build_services release

languages=$(echo $LANGUAGES | tr ' ' ',')
# One machine for development: callbacks may go to a receiver on loopback (`make receiver`),
# and nowhere else private.
export CALLBACK_ALLOW_NETS=${CALLBACK_ALLOW_NETS:-127.0.0.0/8,::1}
start gateway gateway GATEWAY_ADDR="$GATEWAY_ADDR" LANGUAGES="$languages"
for lang in $LANGUAGES; do
    start "worker-$lang" worker WORKER_LANGUAGE="$lang"
done
start notifier notifier

for _ in $(seq 1 100); do
    if curl -fsS "http://$GATEWAY_ADDR/healthz" >/dev/null 2>&1; then
        cat <<MSG

The engine is up ($languages).
  API        http://$GATEWAY_ADDR/execute
  Swagger UI http://$GATEWAY_ADDR/docs
  OpenAPI    http://$GATEWAY_ADDR/openapi.json
  State      http://$GATEWAY_ADDR/executions/<id>
  NATS       $NATS_URL   (results on exec.result.>)
  Logs       $LOGS
Stop it with: make down
MSG
        exit 0
    fi
    for pid_file in "$PIDS"/gateway.pid "$PIDS"/worker-*.pid "$PIDS"/notifier.pid; do
        if ! pid_alive "$pid_file"; then
            name=$(basename "$pid_file" .pid)
            log "$name exited; the end of $LOGS/$name.log:"
            tail -20 "$LOGS/$name.log" >&2
            exit 1
        fi
    done
    sleep 0.2
done
log "the gateway did not answer on http://$GATEWAY_ADDR/healthz"
exit 1
