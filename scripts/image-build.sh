#!/usr/bin/env bash
# `make image`: builds the repository's Dockerfile with podman, without a registry, and writes an
# OCI archive. The Dockerfile is the one a user with Docker builds; only its arguments differ:
#   RUNTIME_IMAGE  the local Debian + .NET runtime base from scripts/image-base.sh
#   APP_IMAGE      an image holding /app, the output of the Dockerfile's own `dotnet publish`
#                  command run on the host: inside a container on this machine `dotnet restore`
#                  hangs while loading NuGet settings, and there is no SDK image to pull anyway.
# Usage: scripts/image-build.sh [tag]   (default 0.1.0-dev). Prints the archive's path last.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/containers-env.sh"
cd "$root"

tag="${1:-${IMAGE_TAG:-0.1.0-dev}}"
image="${IMAGE:-localhost/remoteworkload-operator}:$tag"
out="$root/.artifacts/image"
archive="$out/remoteworkload-operator-$tag.oci.tar"
reason="$(containers_unavailable_reason)"
[ -z "$reason" ] || { echo "image: cannot build: $reason" >&2; exit 3; }
mkdir -p "$out"

start=$SECONDS
runtime_image="$(scripts/image-base.sh | sed -n 's/^RUNTIME_IMAGE=//p')"
echo "image: base $runtime_image ($((SECONDS - start))s)" >&2

arch="$(uname -m)"; case "$arch" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; esac
publish="$out/publish"
rm -rf "$publish"
# The same command as the Dockerfile's build stage.
dotnet publish src/Operator/Operator.csproj -c Release -a "$arch" --self-contained false -o "$publish" --nologo -v quiet >&2
app_image="localhost/remoteworkload-operator-app:$tag"
tar -C "$out" --transform 's,^publish,app,' -c publish | "$PODMAN" import --quiet - "$app_image" >/dev/null
echo "image: publish ($((SECONDS - start))s)" >&2

"$PODMAN" build --quiet --pull=never \
  --build-arg "RUNTIME_IMAGE=$runtime_image" --build-arg "APP_IMAGE=$app_image" --build-arg "TARGETARCH=${arch/x64/amd64}" \
  -t "$image" -f Dockerfile . >/dev/null
rm -f "$archive"
"$PODMAN" save --quiet --format oci-archive -o "$archive" "$image"
"$PODMAN" rmi "$app_image" >/dev/null 2>&1 || true
echo "image: $image ($((SECONDS - start))s, $(du -h "$archive" | cut -f1))" >&2
echo "$archive"
