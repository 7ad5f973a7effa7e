#!/usr/bin/env bash
# Builds the local runtime base image `make image` hands to the Dockerfile as RUNTIME_IMAGE
# instead of mcr.microsoft.com/dotnet/aspnet (there is no registry to pull it from here):
#   localhost/remoteworkload-base/aspnet:<runtime>  a minimal Debian rootfs (mmdebstrap
#       --variant=extract: libc, libssl, libstdc++, zlib, ca-certificates, tzdata, ICU; no shell,
#       no package manager) plus the host's .NET and ASP.NET Core shared runtimes
# The rootfs tarball is cached under .artifacts/image/ and the image is labelled with a key over
# its inputs, so a second run changes nothing and takes about a second. Prints
# RUNTIME_IMAGE=<ref>.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/containers-env.sh"

dotnet_root="${DOTNET_ROOT:-$(dirname "$(readlink -f "$(command -v dotnet)")")}"
suite="${BASE_SUITE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")}"
packages="${BASE_PACKAGES:-libc6 libgcc-s1 libssl3 libstdc++6 zlib1g ca-certificates tzdata libicu72}"
cache="$root/.artifacts/image"
mkdir -p "$cache"

runtime_version="$(ls "$dotnet_root/shared/Microsoft.AspNetCore.App" | sort -V | tail -1)"
netcore_version="$(ls "$dotnet_root/shared/Microsoft.NETCore.App" | sort -V | tail -1)"
[ -n "$runtime_version" ] && [ -n "$netcore_version" ] || { echo "image-base: no .NET runtime under $dotnet_root" >&2; exit 1; }

key="$( { echo "$suite $packages $runtime_version $netcore_version"; cat "${BASH_SOURCE[0]}"; } | sha256sum | cut -c1-16)"
rootfs="$cache/rootfs-$key.tar"
runtime_image="localhost/remoteworkload-base/aspnet:$runtime_version"

has_image() {
  [ "$("$PODMAN" image inspect --format '{{index .Labels "dev.workloads.base-key"}}' "$1" 2>/dev/null)" = "$key" ]
}

if [ ! -s "$rootfs" ] && ! has_image "$runtime_image"; then
  echo "image-base: mmdebstrap --variant=extract $suite: $packages" >&2
  # extract runs no maintainer scripts: the CA bundle update-ca-certificates would write is
  # assembled here.
  mmdebstrap --quiet --variant=extract --include="${packages// /,}" \
    --customize-hook='mkdir -p "$1/etc/ssl/certs" && cat "$1"/usr/share/ca-certificates/mozilla/*.crt > "$1/etc/ssl/certs/ca-certificates.crt"' \
    --customize-hook='rm -rf "$1/var/cache/apt" "$1/var/lib/apt/lists" "$1/usr/share/doc" "$1/usr/share/man"' \
    "$suite" "$rootfs.partial.tar" >&2
  mv -f "$rootfs.partial.tar" "$rootfs"
fi

# Builds image $1 from the rootfs plus the listed parts of the .NET installation.
import_image() {
  local image="$1"; shift
  local staging
  staging="$(mktemp -d "$cache/staging.XXXXXX")"
  trap 'rm -rf "$staging"' RETURN
  tar -C "$staging" -xf "$rootfs"
  # /tmp (an emptyDir in the chart) must exist and be sticky like on any Linux.
  mkdir -p "$staging/tmp"
  chmod 1777 "$staging/tmp"
  mkdir -p "$staging/usr/share/dotnet" "$staging/usr/bin"
  local part
  for part in "$@"; do
    mkdir -p "$staging/usr/share/dotnet/$(dirname "$part")"
    cp -a "$dotnet_root/$part" "$staging/usr/share/dotnet/$part"
  done
  ln -sf ../share/dotnet/dotnet "$staging/usr/bin/dotnet"
  tar -C "$staging" -c . | "$PODMAN" import --quiet \
    --change "LABEL dev.workloads.base-key=$key" \
    --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change "ENV DOTNET_RUNNING_IN_CONTAINER=true" \
    - "$image" >/dev/null
}

if ! has_image "$runtime_image"; then
  echo "image-base: $runtime_image" >&2
  import_image "$runtime_image" dotnet LICENSE.txt ThirdPartyNotices.txt host \
    "shared/Microsoft.NETCore.App/$netcore_version" "shared/Microsoft.AspNetCore.App/$runtime_version"
fi
echo "RUNTIME_IMAGE=$runtime_image"
