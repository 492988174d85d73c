#!/usr/bin/env bash
# Shared by up.sh, down.sh and test.sh: installing what is missing, starting the daemons the
# engine needs, building the sandbox images and the services. Sourced, never run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE_DIR=${EXEC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/exec-engine}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$CACHE_DIR/target}
# Every language with a sandbox image under harness/ unless EXEC_LANGUAGES names a subset
# (harness/supervisor is in every image, not a language).
LANGUAGES=${EXEC_LANGUAGES:-$(cd "$ROOT/harness" && for d in */Dockerfile; do d=${d%/Dockerfile}; [ "$d" = supervisor ] || printf '%s ' "$d"; done)}
BASE_IMAGE=${EXEC_BASE_IMAGE:-exec-engine/base:bookworm}
DEBIAN_MIRROR=${EXEC_DEBIAN_MIRROR:-http://deb.debian.org/debian}

log() { printf '==> %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the Debian packages behind the given commands when a command is missing.
ensure_packages() {
    local missing=()
    command -v dockerd >/dev/null || missing+=(docker.io)
    command -v nats-server >/dev/null || missing+=(nats-server)
    command -v debootstrap >/dev/null || missing+=(debootstrap)
    command -v curl >/dev/null || missing+=(curl)
    command -v cc >/dev/null || missing+=(build-essential)
    command -v pkg-config >/dev/null || missing+=(pkg-config)
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]}"
        as_root apt-get update -q
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
    fi
    if ! command -v cargo >/dev/null; then
        [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
    fi
    if ! command -v cargo >/dev/null; then
        # Debian's plain `cargo` (1.63) is too old for the dependencies; the -web builds
        # that Debian keeps current for Firefox are not.
        log "installing Debian's cargo-web and rustc-web"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q cargo-web rustc-web >/dev/null
    fi
}

# Debian's docker-compose, for the test of docker-compose.yml (`make up` needs none).
ensure_compose() {
    command -v docker-compose >/dev/null && return 0
    log "installing docker-compose"
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker-compose >/dev/null
}

docker_ready() { docker info >/dev/null 2>&1; }

# True while the process whose PID is in file $1 is alive.
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Stops the process whose PID is in file $1 (TERM, then KILL after 10 s) and removes the file.
stop_pid_file() {
    local file=$1 pid
    [ -f "$file" ] || return 0
    pid=$(cat "$file")
    if kill -0 "$pid" 2>/dev/null; then
        as_root kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && as_root kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$file"
}

# Starts dockerd without networking unless an engine already answers. Prints the PID it
# started (nothing when one was already running) so the caller can stop exactly that.
ensure_dockerd() {
    local state_dir=$1
    if docker_ready; then return 0; fi
    mkdir -p "$state_dir"
    if ! command -v dockerd >/dev/null; then
        log "no dockerd on this machine"; return 1
    fi
    log "starting dockerd (--bridge=none), log in $state_dir/dockerd.log"
    # dockerd writes its own PID file, so that exactly it is stopped later (the PID of a
    # background `sudo` or subshell would not be dockerd's).
    as_root setsid dockerd --bridge=none --iptables=false --ip-forward=false \
        --pidfile "$state_dir/dockerd.pid" >"$state_dir/dockerd.log" 2>&1 < /dev/null &
    for _ in $(seq 1 60); do
        docker_ready && [ -s "$state_dir/dockerd.pid" ] && return 0
        sleep 0.5
    done
    log "dockerd did not come up; see $state_dir/dockerd.log"
    return 1
}

# The base of every sandbox image: Debian bookworm from its own packages, because no
# registry answers here. EXEC_BASE_IMAGE=debian:bookworm-slim uses a registry instead.
ensure_base_image() {
    if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then return 0; fi
    if [ "$BASE_IMAGE" != "exec-engine/base:bookworm" ]; then
        docker pull "$BASE_IMAGE"
        return 0
    fi
    local rootfs
    rootfs=$(mktemp -d /tmp/exec-engine-rootfs.XXXXXX)
    log "debootstrapping the base image (a few minutes, once)"
    as_root debootstrap --variant=minbase bookworm "$rootfs" "$DEBIAN_MIRROR" >"$rootfs.log" 2>&1 \
        || { tail -20 "$rootfs.log" >&2; return 1; }
    as_root tar -C "$rootfs" -c . | docker import - "$BASE_IMAGE" >/dev/null
    as_root rm -rf "$rootfs" "$rootfs.log"
}

# The sandbox supervisor (harness/supervisor), linked statically so that it runs on any base
# image, in a target directory of its own so that the services' builds never replace it.
# Prints the binary's path.
build_supervisor() {
    local host
    host=$(rustc -vV | sed -n 's/^host: //p')
    (cd "$ROOT" && RUSTFLAGS="-C target-feature=+crt-static" \
        cargo build --quiet --release -p sandbox-supervisor --target "$host") >&2
    echo "$CARGO_TARGET_DIR/$host/release/supervisor"
}

# Builds harness/<lang> into exec-sandbox-<lang>:latest: the language's image, then the
# supervisor as a last layer (so that a new supervisor never reinstalls a runtime). Each is
# tagged with a hash of its inputs, so an unchanged one is never rebuilt.
ensure_sandbox_image() {
    local lang=$1 supervisor=$2 dir="$ROOT/harness/$1" key final context
    key=$( (docker image inspect -f '{{.Id}}' "$BASE_IMAGE"; cd "$dir" && find . -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16)
    if ! docker image inspect "exec-harness-$lang:$key" >/dev/null 2>&1; then
        log "building the harness image exec-harness-$lang"
        docker build -q --network host --build-arg "BASE=$BASE_IMAGE" \
            -t "exec-harness-$lang:$key" "$dir" >/dev/null
    fi
    final=$( (echo "$key"; sha256sum "$supervisor" "$ROOT/harness/supervisor/Dockerfile") | sha256sum | cut -c1-16)
    if ! docker image inspect "exec-sandbox-$lang:$final" >/dev/null 2>&1; then
        context=$(mktemp -d /tmp/exec-engine-supervisor.XXXXXX)
        cp "$supervisor" "$ROOT/harness/supervisor/Dockerfile" "$context/"
        docker build -q --build-arg "HARNESS_IMAGE=exec-harness-$lang:$key" \
            -t "exec-sandbox-$lang:$final" "$context" >/dev/null
        rm -rf "$context"
    fi
    docker tag "exec-sandbox-$lang:$final" "exec-sandbox-$lang:latest"
}

build_images() {
    ensure_base_image
    local lang supervisor
    supervisor=$(build_supervisor)
    for lang in $LANGUAGES; do ensure_sandbox_image "$lang" "$supervisor"; done
}

# The services' binaries in PROFILE (release or debug), built by the very command that
# `make up` (release) or `make test` (debug) uses, so that neither builds them twice.
build_services() {
    case $1 in
    release) (cd "$ROOT" && cargo build --release --quiet -p gateway -p worker -p notifier -p callback-receiver) ;;
    debug) (cd "$ROOT" && cargo build --quiet --workspace --bins) ;;
    *) log "build_services: release or debug, not $1"; return 1 ;;
    esac
}

# The image docker-compose.yml runs: the services' binaries of PROFILE as cargo left them
# (build_services), without their debug info, and nats-server. Tagged
# exec-engine/services:<profile>-<hash of its inputs>, so an unchanged one is never rebuilt,
# and the profile's older builds are removed; a release build is also :latest, the tag the
# compose file runs unless EXEC_SERVICES_IMAGE names another (so `make test`, which uses its
# debug build, never replaces an operator's image). Prints the image's name.
build_services_image() {
    local profile=$1 dir=$CARGO_TARGET_DIR/$1 key image tag
    local binaries=(gateway worker notifier callback-receiver)
    key=$( (docker image inspect -f '{{.Id}}' "$BASE_IMAGE"
            cd "$dir" && sha256sum "${binaries[@]}"
            cd "$ROOT" && sha256sum deploy/services.Dockerfile nats/nats-server.conf) | sha256sum | cut -c1-16)
    image=exec-engine/services:$profile-$key
    if ! docker image inspect "$image" >/dev/null 2>&1; then
        log "building $image"
        (
            context=$(mktemp -d /tmp/exec-engine-services.XXXXXX)
            trap 'rm -rf "$context"' EXIT
            # A debug build's debug info is nine tenths of its size, and no use in an image.
            for binary in "${binaries[@]}"; do
                strip --strip-debug -o "$context/$binary" "$dir/$binary"
            done
            cp "$ROOT/nats/nats-server.conf" "$ROOT/deploy/services.Dockerfile" "$context/"
            docker build -q --network host --build-arg "BASE=$BASE_IMAGE" \
                -f "$context/services.Dockerfile" -t "$image" "$context" >/dev/null
        )
        # The profile's older builds go, but for one a container still uses.
        for tag in $(docker image ls exec-engine/services --format '{{.Tag}}' | grep "^$profile-"); do
            [ "$tag" = "$profile-$key" ] || docker rmi "exec-engine/services:$tag" >/dev/null 2>&1 || true
        done
    fi
    if [ "$profile" = release ]; then docker tag "$image" exec-engine/services:latest; fi
    echo "$image"
}
