#!/usr/bin/env bash
# `make down`: stops exactly the processes `make up` started, by their PIDs under ./data.
source "$(dirname "$0")/common.sh"

PIDS=$ROOT/data/pids
[ -d "$PIDS" ] || { log "nothing to stop"; exit 0; }
# Services first, so that none of them loses its NATS server or Docker mid-run.
for pid_file in "$PIDS"/gateway.pid "$PIDS"/worker-*.pid "$PIDS"/notifier.pid \
    "$PIDS"/nats-server.pid "$PIDS"/dockerd.pid; do
    [ -f "$pid_file" ] || continue
    log "stopping $(basename "$pid_file" .pid) (PID $(cat "$pid_file"))"
    stop_pid_file "$pid_file"
done
