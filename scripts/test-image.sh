#!/usr/bin/env bash
# Builds the container image and smoke-tests it the way production runs it.
#   scripts/test-image.sh               build users-api:local, then run it against moto_server and check it
#   scripts/test-image.sh --build-only  only build it (`make image`)
# Engine: docker when a real Docker engine answers (`docker info`), else rootful podman with the
# workplace's stand-ins of the Microsoft .NET base images (../shared/tools/dotnet-images).
# CONTAINER_ENGINE=docker|podman forces one; IMAGE=name:tag changes the tag.
# The smoke: moto_server on a free 127.0.0.1 port with the table and bucket made by the aws CLI; the container
# read-only, /tmp a tmpfs, as the image's default (non-root) user, host network, Kestrel on a free loopback port;
# /health/live, /health/ready, POST /user (a real PNG) -> 201, GET /users lists it, 404 is problem+json,
# then SIGTERM during a slow upload: the upload completes (drained) and the app exits 0; then the credential tests
# (IRSA, Pod Identity, assume-role and SSO profiles, failures) against the same image, without static keys.
# Everything it started is removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${IMAGE:-users-api:local}
BUILD_ONLY=0
case "${1:-}" in
  --build-only) BUILD_ONLY=1 ;;
  "") ;;
  *) echo "usage: $0 [--build-only]" >&2; exit 2 ;;
esac

step() { echo "==> $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# ---- engine ----
SHARED_IMAGES="$(cd .. && pwd)/shared/tools/dotnet-images"
ENGINE=${CONTAINER_ENGINE:-}
if [ -z "$ENGINE" ]; then
  if command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1; then
    ENGINE=docker
  else
    ENGINE=podman
  fi
fi
if [ "$ENGINE" = podman ]; then
  if [ -f "$SHARED_IMAGES/build.sh" ]; then
    step "podman with the .NET base image stand-ins from $SHARED_IMAGES"
    sh "$SHARED_IMAGES/build.sh" >/dev/null || fail "$SHARED_IMAGES/build.sh failed"
    export CONTAINERS_CONF=${CONTAINERS_CONF:-$SHARED_IMAGES/containers.conf}
  fi
  command -v podman >/dev/null 2>&1 || fail "no Docker engine answers and podman is not installed"
fi

# ---- build ----
step "building $IMAGE with $ENGINE"
start=$SECONDS
build_log=$(mktemp)
"$ENGINE" build -t "$IMAGE" \
  --build-arg VERSION="${IMAGE_VERSION:-1.0.0}" \
  --build-arg REVISION="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  -f Dockerfile . >"$build_log" 2>&1 || { tail -n 60 "$build_log" >&2; rm -f "$build_log"; fail "image build failed"; }
rm -f "$build_log"
step "built $IMAGE in $((SECONDS - start)) s"
[ $BUILD_ONLY -eq 1 ] && exit 0

for tool in moto_server aws curl python3; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is required for the image smoke test"
done

# ---- the image itself: non-root user, port, labels, no shell ----
user=$("$ENGINE" image inspect --format '{{.Config.User}}' "$IMAGE")
case "$user" in ""|root|0|0:*|root:*) fail "image user is '$user', expected the non-root app user" ;; esac
# (Outputs are captured before matching: `cmd | grep -q` can fail under pipefail when grep exits early.)
ports=$("$ENGINE" image inspect --format '{{json .Config.ExposedPorts}}' "$IMAGE")
[[ $ports == *'"8080/tcp"'* ]] || fail "image does not expose 8080 ($ports)"
title=$("$ENGINE" image inspect --format '{{index .Config.Labels "org.opencontainers.image.title"}}' "$IMAGE")
[ "$title" = users-api ] || fail "OCI title label is '$title', expected users-api"
if "$ENGINE" run --rm --entrypoint /bin/sh "$IMAGE" -c true >/dev/null 2>&1; then
  fail "the image has a shell (expected a chiseled image)"
fi
# The Native AOT image is one executable on runtime-deps (≈40 MB); 120 MB would mean a runtime or SDK slipped in.
size=$("$ENGINE" image inspect --format '{{.Size}}' "$IMAGE")
[ "$size" -le $((120 * 1000 * 1000)) ] || fail "image is $((size / 1000000)) MB, over the 120 MB bound (docs/performance.md)"
entrypoint=$("$ENGINE" image inspect --format '{{json .Config.Entrypoint}}' "$IMAGE")
[ "$entrypoint" = '["/app/Users.Functions"]' ] || fail "entrypoint is $entrypoint, expected the native executable /app/Users.Functions"
step "image: user $user, port 8080, OCI labels, no shell, native entrypoint, $((size / 1000000)) MB"

# ---- moto_server, table and bucket ----
# shellcheck source=scripts/lib/net.sh
source scripts/lib/net.sh
workdir=$(mktemp -d)
moto_pid="" container=""
cleanup() {
  local rc=$?
  if [ -n "$container" ]; then
    if [ $rc -ne 0 ]; then
      echo "---- container logs ----" >&2
      "$ENGINE" logs "$container" 2>&1 | tail -n 40 >&2 || true
    fi
    "$ENGINE" rm -f "$container" >/dev/null 2>&1 || true
  fi
  [ -n "$moto_pid" ] && kill "$moto_pid" 2>/dev/null && wait "$moto_pid" 2>/dev/null
  rm -rf "$workdir"
  return $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_moto "$workdir/moto.log" || fail "moto_server did not start"
moto_pid=$MOTO_PID endpoint=$MOTO_ENDPOINT

export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
unset AWS_PROFILE AWS_SESSION_TOKEN
table=image-smoke-users bucket=image-smoke-avatars
USERS_TABLE_NAME=$table AVATARS_BUCKET_NAME=$bucket PROVISION_WITH=aws-cli \
  bash scripts/provision-local.sh "$endpoint" >/dev/null
step "moto_server on $endpoint with table $table and bucket $bucket"

# ---- the container: read-only, tmpfs /tmp, default user, host network, loopback port ----
app_port=$(free_port)
metrics_port=$(free_port)
base="http://127.0.0.1:$app_port"
started_ns=$(date +%s%N)
container=$("$ENGINE" run -d --name "users-api-smoke-$$" \
  --read-only --tmpfs /tmp:rw,size=64m,mode=1777 \
  --cap-drop ALL --security-opt no-new-privileges \
  --network host \
  -e ASPNETCORE_URLS="$base" \
  -e AWS_ENDPOINT_URL="$endpoint" -e AWS_REGION=us-east-1 \
  -e AWS_ACCESS_KEY_ID=test -e AWS_SECRET_ACCESS_KEY=test \
  -e USERS_TABLE_NAME="$table" -e AVATARS_BUCKET_NAME="$bucket" \
  -e SHUTDOWN_TIMEOUT_SECONDS=10 -e METRICS_PORT="$metrics_port" \
  "$IMAGE")
step "container ${container:0:12} on $base (read-only, tmpfs /tmp, user $user)"

wait_http "$base/health/live" 60 200 || fail "/health/live never answered 200"
step "/health/live 200, $((($(date +%s%N) - started_ns) / 1000000)) ms after $ENGINE run (polled every 0.2 s, container creation included: a figure, not a bound)"
wait_http "$base/health/ready" 30 200 || fail "/health/ready never answered 200"
step "/health/ready 200"

# A real 1x1 PNG.
base64 -d >"$workdir/avatar.png" <<'PNG'
iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==
PNG
email="smoke-$$@example.com"
status=$(curl -s -o "$workdir/created.json" -w '%{http_code}' --max-time 20 \
  -F name="Image Smoke" -F email="$email" -F "avatar=@$workdir/avatar.png;type=image/png" "$base/user")
[ "$status" = 201 ] || { cat "$workdir/created.json" >&2 || true; fail "POST /user answered $status, expected 201"; }
python3 - "$workdir/created.json" "$email" "$endpoint/$bucket/avatars/" <<'PY' || fail "POST /user body is not the created user"
import json, sys
user = json.load(open(sys.argv[1]))
assert user["email"] == sys.argv[2], user
assert user["name"] == "Image Smoke", user
assert user["avatar_url"].startswith(sys.argv[3]) and user["avatar_url"].endswith(".png"), user
PY
step "POST /user 201"
objects=$(aws --endpoint-url "$endpoint" s3api list-objects-v2 --bucket "$bucket" --prefix avatars/ --query 'length(Contents)' --output text)
[ "$objects" = 1 ] || fail "expected 1 avatar in the bucket, found '$objects'"

status=$(curl -s -o "$workdir/users.json" -w '%{http_code}' --max-time 20 "$base/users")
[ "$status" = 200 ] || fail "GET /users answered $status"
python3 - "$workdir/users.json" "$email" <<'PY' || { cat "$workdir/users.json" >&2 || true; fail "GET /users does not list the new user"; }
import json, sys
users = json.load(open(sys.argv[1]))
assert isinstance(users, list), users
assert [u for u in users if u["email"] == sys.argv[2] and u["name"] == "Image Smoke" and u["avatar_url"]], users
PY
step "GET /users lists $email"

status=$(curl -s -D "$workdir/headers" -o "$workdir/404.json" -w '%{http_code}' --max-time 10 "$base/no-such-route")
[ "$status" = 404 ] || fail "unknown route answered $status"
grep -qi '^content-type: application/problem+json' "$workdir/headers" || { cat "$workdir/headers" >&2 || true; fail "404 is not problem+json"; }
python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); assert p["status"] == 404, p' "$workdir/404.json" || fail "404 body is not a problem"
step "404 application/problem+json"

# Swagger UI is off in the image (SWAGGER_UI_ENABLED unset); the OpenAPI document is served.
status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$base/swagger/index.html")
[ "$status" = 404 ] || fail "Swagger UI answered $status in the image (expected 404: off unless SWAGGER_UI_ENABLED=true)"
status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$base/openapi/v1.json")
[ "$status" = 200 ] || fail "/openapi/v1.json answered $status"
step "Swagger UI off, OpenAPI document served"

# ---- /metrics: Prometheus text on the management port only (the chart's container port `metrics`) ----
status=$(curl -s -o "$workdir/metrics.txt" -w '%{http_code}' --max-time 10 "http://127.0.0.1:$metrics_port/metrics")
[ "$status" = 200 ] || fail "/metrics on the management port answered $status"
metrics=$(cat "$workdir/metrics.txt")
[[ $metrics == *http_server_request_duration_seconds_bucket* ]] || fail "/metrics has no http.server.request.duration histogram"
status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$base/metrics")
[ "$status" = 404 ] || fail "/metrics on the public port answered $status, expected 404"
step "/metrics on the management port :$metrics_port, 404 on the public port"

# ---- SIGTERM: an upload in flight still completes, then the app exits 0 within its shutdown timeout ----
# A 3 MB avatar (PNG signature first) sent at 1 MB/s is still uploading when SIGTERM arrives.
{ cat "$workdir/avatar.png"; head -c 3000000 /dev/zero; } >"$workdir/large.png"
curl -s -o "$workdir/drained.json" -w '%{http_code}' --max-time 30 --limit-rate 1000k \
  -F name="Drained Upload" -F email="drain-$$@example.com" -F "avatar=@$workdir/large.png;type=image/png" \
  "$base/user" >"$workdir/drained.status" &
upload_pid=$!
# Wait (bounded) until the upload's TCP connection is established: /proc/net/tcp, remote port = the app's.
in_flight() {
  python3 - "$app_port" <<'PY'
import sys
port = "%04X" % int(sys.argv[1])
for path in ("/proc/net/tcp", "/proc/net/tcp6"):
    try:
        rows = open(path).read().splitlines()[1:]
    except OSError:
        continue
    if any(r.split()[2].endswith(":" + port) and r.split()[3] == "01" for r in rows):
        sys.exit(0)
sys.exit(1)
PY
}
deadline=$((SECONDS + 10))
until in_flight; do
  [ $SECONDS -lt $deadline ] || fail "the slow upload never connected"
  sleep 0.1
done
"$ENGINE" kill --signal TERM "$container" >/dev/null
wait "$upload_pid" || true
status=$(cat "$workdir/drained.status")
[ "$status" = 201 ] || { cat "$workdir/drained.json" >&2 2>/dev/null || true; fail "the upload in flight at SIGTERM answered '$status', expected 201 (not drained)"; }
step "upload in flight at SIGTERM completed: 201"
deadline=$((SECONDS + 30))
while [ "$("$ENGINE" inspect --format '{{.State.Running}}' "$container")" = true ]; do
  [ $SECONDS -lt $deadline ] || fail "still running 30 s after SIGTERM"
  sleep 0.2
done
code=$("$ENGINE" inspect --format '{{.State.ExitCode}}' "$container")
[ "$code" = 0 ] || fail "exit code $code after SIGTERM, expected 0"
"$ENGINE" logs "$container" >"$workdir/container.log" 2>&1
grep -q 'shutting down' "$workdir/container.log" || fail "no shutdown message in the logs"
step "SIGTERM: clean exit 0"

# The logs are JSON lines.
"$ENGINE" logs "$container" 2>/dev/null >"$workdir/stdout.log"
python3 -c '
import json, sys
lines = [l for l in sys.stdin if l.strip()]
assert lines, "no logs"
for l in lines: json.loads(l)
' <"$workdir/stdout.log" || fail "stdout logs are not one JSON object per line"
step "image smoke passed"

# ---- credentials without static keys: IRSA, EKS Pod Identity, assume-role and SSO profiles, and the failures ----
# The credential tests (test/Users.Api.Tests/Credentials) start this image for each case: host network, read-only,
# non-root, the case's token and config files mounted read-only, no AWS_ACCESS_KEY_ID anywhere.
step "credential sources and failures against $IMAGE (no static keys)"
dotnet build test/Users.Api.Tests -c Release --nologo -v quiet
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY CREDENTIALS_TEST_IMAGE="$IMAGE" CREDENTIALS_TEST_ENGINE="$ENGINE" \
  dotnet test test/Users.Api.Tests -c Release --no-build --filter "Category=Credentials" --logger "console;verbosity=minimal"
step "credentials passed"
