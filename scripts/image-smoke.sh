#!/usr/bin/env bash
# `make image-smoke`: runs the image built by `make image` the way the chart runs it. The demo
# installs charts/remoteworkload-operator with helm on the local control plane, and the test pod
# runner (tests/Operator.Testing.PodRunner) starts the Deployment's pod with podman: read-only
# root, --cap-drop=ALL, no-new-privileges, uid 65532, /tmp as tmpfs, the chart's args and env, an
# in-cluster ServiceAccount token, host network to 127.0.0.1. Passes when the sample workloads go
# through the whole lifecycle and /healthz, /readyz and /metrics answer 200.
# Usage: scripts/image-smoke.sh [tag]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/containers-env.sh"
cd "$root"

tag="${1:-${IMAGE_TAG:-0.1.0-dev}}"
image="${IMAGE:-localhost/remoteworkload-operator}:$tag"
reason="$(containers_unavailable_reason)"
[ -z "$reason" ] || { echo "image-smoke: cannot run containers: $reason" >&2; exit 3; }
"$PODMAN" image exists "$image" || { echo "image-smoke: $image is not in local storage; run make image" >&2; exit 1; }

out="$root/.artifacts/image/smoke"
rm -rf "$out"
dotnet build tools/Operator.Demo -c "${CONFIGURATION:-Debug}" --nologo -v quiet >&2
log="$out.log"
status=0
dotnet "tools/Operator.Demo/bin/${CONFIGURATION:-Debug}/net10.0/Operator.Demo.dll" --once --chart --require-podman --operator-image "$image" --out "$out" >"$log" 2>&1 || status=$?
cat "$log"
pod_log="$(ls "$out"/pods/*.log 2>/dev/null | head -1)"
fail() { echo "image-smoke: FAILED: $*" >&2; [ -z "$pod_log" ] || { echo "--- $pod_log" >&2; tail -40 "$pod_log" >&2; }; exit 1; }
[ "$status" -eq 0 ] || fail "the demo exited $status"
for expected in "GET /healthz -> 200" "GET /readyz -> 200" "GET /metrics -> 200" "DEMO OK" "podman, image $image"; do
  grep -qF -- "$expected" "$log" || fail "no \"$expected\" in the demo's output"
done
# The container really ran with the chart's security context.
for flag in "--read-only" "--cap-drop=ALL" "no-new-privileges" "--user 65532:65532" "--tmpfs /tmp"; do
  grep -q -- "^# pod .*$flag" "$pod_log" || fail "the pod was not started with $flag"
done
echo "image-smoke: OK ($image: chart security context, Running workloads, /healthz /readyz /metrics 200)"
