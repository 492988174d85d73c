# The engine's services in one image, for docker-compose.yml: the release binaries that
# `make services-image` builds on the host, plus Debian's nats-server.
ARG BASE=exec-engine/base:bookworm
FROM ${BASE}
RUN apt-get update -q \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nats-server ca-certificates \
    && apt-get clean && rm -rf /var/lib/apt/lists/*
COPY gateway worker notifier callback-receiver /usr/local/bin/
COPY nats-server.conf /etc/nats/nats-server.conf
