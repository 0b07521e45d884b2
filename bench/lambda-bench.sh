#!/usr/bin/env bash
# Lambda path benchmark: for the function published as JIT (self-contained, no ReadyToRun), ReadyToRun and Native AOT,
# prints the cold start (function process start -> first GET /users response through the Lambda emulator; a fresh
# process per run), the warm per-invoke latency seen by a client of the emulator's API front, and the peak RSS.
# Storage is a moto_server on a free loopback port, started and stopped here.
# Then the floor under it: an empty application on the same hosting adapter (bench/Users.LambdaFloor), published the
# same way and measured the same way in the same sitting, so that the function's own share of its cold start shows.
#   BENCH_VARIANTS="jit r2r aot"  BENCH_FLOOR_VARIANTS="r2r aot"  BENCH_COLD_RUNS=7  BENCH_WARM_INVOKES=300
# Every cold start of the sitting goes to .local/bench/lambda-<UTC time>.jsonl, one line per variant (bench/charts.py
# draws their distribution: make bench-charts).
set -euo pipefail
cd "$(dirname "$0")/.."

variants=${BENCH_VARIANTS:-jit r2r aot}
floor_variants=${BENCH_FLOOR_VARIANTS-r2r aot}
cold_runs=${BENCH_COLD_RUNS:-7}
warm_invokes=${BENCH_WARM_INVOKES:-300}
out=$PWD/.local/bench
mkdir -p "$out"
json=$out/lambda-$(date -u +%Y%m%dT%H%M%SZ).jsonl

moto_pid=""
cleanup() { if [ -n "$moto_pid" ]; then kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true; fi; }
trap cleanup EXIT

# shellcheck source=scripts/lib/net.sh
source scripts/lib/net.sh
start_moto "$out/moto.log"
moto_pid=$MOTO_PID
export AWS_ENDPOINT_URL=$MOTO_ENDPOINT AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export USERS_TABLE_NAME=bench-users AVATARS_BUCKET_NAME=bench-avatars POWERTOOLS_LOG_LEVEL=Warning
PROVISION_WITH=aws-cli bash scripts/provision-local.sh "$AWS_ENDPOINT_URL" >/dev/null

dotnet build bench/Users.LambdaBench -c Release -o "$out/tool" --nologo -v quiet
echo "machine: $(nproc) cores, $(uname -m), $(dotnet --version) SDK; cold runs: $cold_runs; warm invokes: $warm_invokes"
# bench LABEL DIR PUBLISH [MAKE_ARGS...]: make lambda-publish into $out/DIR, then cold starts and warm invokes of it.
bench() {
  local label=$1 dir=$2 publish=$3
  shift 3
  if ! make --no-print-directory lambda-publish LAMBDA_PUBLISH="$publish" ARTIFACTS_DIR="$out/$dir" "$@" >"$out/publish-$dir.log" 2>&1; then
    echo "$label: did not publish (see $out/publish-$dir.log)"
    return
  fi
  dotnet "$out/tool/Users.LambdaBench.dll" "$label" "$out/$dir/bootstrap" "$cold_runs" "$warm_invokes" /users "$json"
}
for variant in $variants; do
  bench "$variant" "$variant" "$variant"
done
for variant in $floor_variants; do
  bench "floor $variant" "floor-$variant" "$variant" LAMBDA_PROJECT=bench/Users.LambdaFloor/Users.LambdaFloor.csproj
done
echo "(every cold start: ${json#"$PWD"/})"
