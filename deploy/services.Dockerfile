# The engine's services in one image, for docker-compose.yml: binaries cargo built on the
# host (build_services_image in scripts/common.sh copies them in), plus Debian's nats-server.
ARG BASE=exec-engine/base:bookworm
FROM ${BASE}
RUN apt-get update -q \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nats-server ca-certificates \
    && apt-get clean && rm -rf /var/lib/apt/lists/*
# The services run unprivileged. /data belongs to that user so that a fresh volume mounted
# there (NATS's store) does too: Docker gives a new volume its mount point's owner.
RUN useradd --system --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin exec \
    && install -d -o exec -g exec /data
USER exec
COPY gateway worker notifier callback-receiver /usr/local/bin/
COPY nats-server.conf /etc/nats/nats-server.conf
