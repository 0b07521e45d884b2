#!/usr/bin/env bash
# `make image` and `make test-image`: builds the container image, then runs test/Users.Image.Tests against it: the
# image's own checks (non-root user, port 8080, OCI labels, native entrypoint, no shell, under 120 MB; run read-only
# as its user, /metrics on the management port only, SIGTERM drains an upload in flight), the whole API contract suite
# and every credential source, each on containers of the image against moto_server. The tests assert; this launches.
#   scripts/test-image.sh               build users-api:local, then test it
#   scripts/test-image.sh --build-only  only build it (`make image`)
# Engine: docker when a real Docker engine answers (`docker info`), else rootful podman with the workplace's
# stand-ins of the Microsoft .NET base images (../shared/tools/dotnet-images). CONTAINER_ENGINE=docker|podman forces
# one; IMAGE=name:tag changes the tag. Results: artifacts/test-results/image/image.trx.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${IMAGE:-users-api:local}
case "${1:-}" in
  --build-only | "") ;;
  *) echo "usage: $0 [--build-only]" >&2; exit 2 ;;
esac

# ---- engine ----
SHARED_IMAGES="$(cd .. && pwd)/shared/tools/dotnet-images"
ENGINE=${CONTAINER_ENGINE:-}
if [ -z "$ENGINE" ]; then
  if command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1; then ENGINE=docker; else ENGINE=podman; fi
fi
if [ "$ENGINE" = podman ] && [ -f "$SHARED_IMAGES/build.sh" ]; then
  echo "==> podman with the .NET base image stand-ins from $SHARED_IMAGES"
  sh "$SHARED_IMAGES/build.sh" >/dev/null
  export CONTAINERS_CONF=${CONTAINERS_CONF:-$SHARED_IMAGES/containers.conf}
fi
command -v "$ENGINE" >/dev/null 2>&1 || { echo "no Docker engine answers and $ENGINE is not installed" >&2; exit 1; }

# ---- build ----
echo "==> building $IMAGE with $ENGINE"
start=$SECONDS
build_log=$(mktemp)
trap 'rm -f "$build_log"' EXIT
"$ENGINE" build -t "$IMAGE" \
  --build-arg VERSION="${IMAGE_VERSION:-1.0.0}" \
  --build-arg REVISION="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  -f Dockerfile . >"$build_log" 2>&1 || { tail -n 60 "$build_log" >&2; echo "image build failed" >&2; exit 1; }
echo "==> built $IMAGE in $((SECONDS - start)) s"
[ "${1:-}" = --build-only ] && exit 0

# ---- the image's tests ----
command -v moto_server >/dev/null || { echo "moto_server is required (pip install 'moto[server]')" >&2; exit 1; }
# shellcheck source=scripts/lib/test-results.sh
source scripts/lib/test-results.sh
results=artifacts/test-results/image
rm -rf "$results"
dotnet build test/Users.Image.Tests -c Release --nologo -v quiet
API_TEST_IMAGE="$IMAGE" API_TEST_ENGINE="$ENGINE" dotnet test test/Users.Image.Tests -c Release --no-build \
  --logger "console;verbosity=minimal" --logger "trx;LogFileName=image.trx" --results-directory "$results" \
  -- RunConfiguration.TreatNoTestsAsError=true
test_results check "$results"
