#!/usr/bin/env bash
# `make receiver`: the development callback receiver in the foreground, built as `make up`
# builds the services (the same package set, so nothing is rebuilt).
source "$(dirname "$0")/common.sh"

build_services release
exec "$CARGO_TARGET_DIR/release/callback-receiver"
