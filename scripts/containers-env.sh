#!/usr/bin/env bash
# Sourced by the image scripts: points podman and buildah at the repository's containers.conf
# (runc instead of crun, which fails on hybrid cgroup v1 hosts; cgroupfs instead of systemd; no
# default ulimits, which can exceed the hard limits of a CI sandbox) and says whether containers
# can run here at all. Nothing here pulls from a registry.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$root/scripts/containers.conf}"
PODMAN="${PODMAN:-podman}"

# Prints why containers cannot run on this machine, or nothing when they can.
containers_unavailable_reason() {
  command -v "$PODMAN" >/dev/null 2>&1 || { echo "podman is not installed (apt-get install podman buildah runc mmdebstrap)"; return; }
  command -v mmdebstrap >/dev/null 2>&1 || { echo "mmdebstrap is not installed (apt-get install mmdebstrap)"; return; }
  [ "$(id -u)" = 0 ] || { echo "the image scripts run rootful podman and need root"; return; }
  "$PODMAN" info >/dev/null 2>&1 || echo "podman info fails: $("$PODMAN" info 2>&1 | tail -1)"
}
