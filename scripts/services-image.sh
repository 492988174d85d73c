#!/usr/bin/env bash
# `make services-image`: the images docker-compose.yml runs: the sandbox images its workers
# start, and exec-engine/services:latest of the release build. `services-image.sh debug`
# makes the services' image of the debug build instead (not :latest; run it with
# EXEC_SERVICES_IMAGE=<the name printed>).
source "$(dirname "$0")/common.sh"

profile=${1:-release}
ensure_packages
ensure_dockerd "$ROOT/data/pids"
build_images
build_services "$profile"
log "the services' image: $(build_services_image "$profile")"
