#!/usr/bin/env bash
# Builds a Debian bookworm + Python 3.11 base image from Debian's packages, for machines that cannot pull images
# (the Dockerfile's BASE build argument). Usage: docker/base-image.sh localhost/bookworm-python:3.11
set -euo pipefail
TAG="${1:-localhost/bookworm-python:3.11}"
PODMAN=(podman --runtime runc --cgroup-manager cgroupfs)
# The mirror apt already uses here.
MIRROR="$(grep -rhoE 'https?://[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null | head -1)"
ROOTFS="$(mktemp -d)"
trap 'rm -rf "$ROOTFS"' EXIT
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm "$ROOTFS" "${MIRROR:-http://deb.debian.org/debian}" >/dev/null
tar -C "$ROOTFS" -c . | "${PODMAN[@]}" import - "$TAG"
