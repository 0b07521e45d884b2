#!/usr/bin/env bash
# The Users API measured side by side with the Python peer of ../shared/bench (docs/performance.md).
#   bench/bench.sh shared       make bench: ../shared/bench/run.py (moto backend) for each variant, then the table
#   bench/bench.sh saturation   make bench-saturation: each server at its limit against the stub backend, interleaved in
#                               one sitting (bench/interleave.py, c=32), the list's sharing on and off beside the peer
#   bench/bench.sh latency      make bench's latency picture: GET /users at fixed offered rates (bench/latency_load.py,
#                               an open model, stub backend) for each variant: p50/p99 and goodput
#   bench/bench.sh layers       make bench-layers: the floor (bench/Users.Floor), the service, and the service with each
#                               layer left out (bench/Users.Layers, BENCH_LAYERS_OFF), interleaved in one sitting on
#                               the stub backend at c=32 (LAYERS_BACKEND=moto LAYERS_CONCURRENCY=8: at the shared bench)
#   bench/bench.sh guard        make test's perf step: the aot build and the peer in one interleaved sitting
#                               (bench/interleave.py, moto backend), failing past GUARD_MAX_GET (0.40) / GUARD_MAX_POST (0.75)
# Variants (BENCH_VARIANTS, default "aot fdd peer"):
#   aot   the service as the container ships it: the Native AOT publish of the Dockerfile, run natively (label users-api)
#   fdd   the framework-dependent JIT build `make run` uses (label users-api-jit)
#   peer  ../shared/bench/peer_flask.py (Flask + boto3) under gunicorn -w 2
#   aot-solo      aot with LIST_COALESCE=false: every GET /users a Scan of its own (label users-api-solo)
#   aot-snapshot  aot with LIST_SNAPSHOT_SECONDS=1: a completed pass served again for 1 s (label users-api-snapshot)
#   floor         bench/Users.Floor: the same Kestrel and SDK calls and nothing else (Native AOT, artifacts/bench/floor)
# Settings: BENCH_RUNS (sittings, default 2), BENCH_SECONDS (20), BENCH_WARMUP (800 requests),
# BENCH_USERS (100), BENCH_CONCURRENCY (8), BENCH_PUBLISH=0 reuses the published builds (NATIVE_OUT, artifacts/bench/*);
# saturation: SATURATION_ROUNDS (5), SATURATION_SECONDS (3), SATURATION_CONCURRENCY (32), SATURATION_ROUTES (get,post),
# SATURATION_BACKEND (stub; moto
# with SATURATION_CONCURRENCY=8 is the shared bench's condition), its variants BENCH_VARIANTS (default
# "aot aot-solo aot-snapshot floor peer"); latency: LATENCY_RATES (50,100,200,400,800,1600,3200 a second),
# LATENCY_SECONDS (4 per rate), LATENCY_SLO_MS (100); layers: LAYERS (which to leave out), LAYERS_ROUNDS (3),
# LAYERS_SECONDS (3), LAYERS_CONCURRENCY (32), LAYERS_ROUTES (get,post), LAYERS_BACKEND (stub).
# The project runs as shipped except for two settings a one-client benchmark needs: the per-client registration
# limit is raised (REGISTER_RATE_LIMIT_PER_MINUTE=60000, burst 100000: the limiter still runs, it just does not
# refuse), and the metrics port is a free one (telemetry stays on); at c=32 (saturation, layers) the upload limit too.
# Loopback only; every run is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
mode=${1:-shared}
shared=${BENCH_SHARED:-$(cd .. && pwd)/shared/bench}
variants=${BENCH_VARIANTS:-aot fdd peer}
runs=${BENCH_RUNS:-2}
users=${BENCH_USERS:-100}
out=$root/.local/bench
# make publish-native's output (the guard reuses what make test's reliability step has just published there).
aot_dir=${NATIVE_OUT:-$root/artifacts/native}
[ "$mode" != saturation ] || variants=${BENCH_VARIANTS:-aot aot-solo aot-snapshot floor peer}
mkdir -p "$out"
[ -f "$shared/run.py" ] || { echo "no $shared/run.py (set BENCH_SHARED)" >&2; exit 1; }
# shellcheck source=scripts/lib/net.sh
source scripts/lib/net.sh

publish() {
  case $1 in
    fdd)
      echo "publishing fdd (framework-dependent Release, the JIT build make run uses) -> artifacts/bench/fdd"
      dotnet publish src/Users.Functions/Users.Functions.csproj -c Release -o artifacts/bench/fdd -p:UseAppHost=false \
        --nologo -v quiet >"$out/publish-fdd.log" 2>&1 || { cat "$out/publish-fdd.log" >&2; return 1; } ;;
    aot|aot-*)
      [ -z "${aot_published:-}" ] || return 0
      aot_published=1
      echo "publishing aot (make publish-native: the Dockerfile's publish) -> ${aot_dir#"$root"/}"
      make --no-print-directory publish-native NATIVE_OUT="$aot_dir" \
        >"$out/publish-aot.log" 2>&1 || { cat "$out/publish-aot.log" >&2; return 1; } ;;
    floor|layers)
      echo "publishing $1 (Native AOT, as make publish-native) -> artifacts/bench/$1"
      dotnet publish "bench/Users.${1^}/Users.${1^}.csproj" -c Release -r "$(make --no-print-directory -s native-rid)" \
        -p:PublishAot=true -p:StripSymbols=true -o "artifacts/bench/$1" --nologo -v quiet \
        >"$out/publish-$1.log" 2>&1 || { cat "$out/publish-$1.log" >&2; return 1; } ;;
  esac
}

command_for() {
  local settings
  settings="REGISTER_RATE_LIMIT_PER_MINUTE=60000 REGISTER_RATE_LIMIT_BURST=100000 METRICS_PORT=$(free_port)${extra_settings:+ $extra_settings}"
  case $1 in
    fdd) echo "cd '$root/artifacts/bench/fdd' && exec env $settings dotnet Users.Functions.dll" ;;
    floor) echo "cd '$root/artifacts/bench/floor' && exec ./Users.Floor" ;;
    aot) echo "cd '$aot_dir' && exec env $settings ./Users.Functions" ;;
    aot-solo) echo "cd '$aot_dir' && exec env $settings LIST_COALESCE=false ./Users.Functions" ;;
    aot-snapshot) echo "cd '$aot_dir' && exec env $settings LIST_SNAPSHOT_SECONDS=1 ./Users.Functions" ;;
    peer) echo "cd '$shared' && exec /usr/bin/python3 /usr/bin/gunicorn -w 2 -b 127.0.0.1:\$PORT peer_flask:app" ;;
    *) echo "unknown variant $1" >&2; return 1 ;;
  esac
}

label_for() { case $1 in aot) echo users-api ;; aot-*) echo "users-api-${1#aot-}" ;; fdd) echo users-api-jit ;; *) echo "$1" ;; esac; }

# The peer's stack, from Debian as ../shared/bench/README.md installs it.
if [[ " $variants " == *" peer "* ]] && ! { [ -x /usr/bin/gunicorn ] && /usr/bin/python3 -c 'import flask, boto3' 2>/dev/null; }; then
  echo "installing the peer's stack (gunicorn, Flask, boto3) with apt-get"
  apt-get install -y gunicorn python3-flask python3-boto3 >"$out/apt-peer.log" 2>&1 || { cat "$out/apt-peer.log" >&2; exit 1; }
fi

# The layer table: one sitting, every server started once and driven in turn, ratios to the floor.
if [ "$mode" = layers ]; then
  if [ "${BENCH_PUBLISH:-1}" != 0 ]; then for v in aot floor layers; do publish "$v"; done; fi
  # The upload limit raised as in the saturation sitting below (else at c=32 the table measures POST's refusals).
  extra_settings="ADMISSION_MAX_CONCURRENT_UPLOADS=$((2 * ${LAYERS_CONCURRENCY:-32}))"
  settings="REGISTER_RATE_LIMIT_PER_MINUTE=60000 REGISTER_RATE_LIMIT_BURST=100000 $extra_settings"
  servers=(--server "floor=cd '$root/artifacts/bench/floor' && exec ./Users.Floor" --server "users-api=$(command_for aot)")
  for layer in ${LAYERS:-none telemetry logging accesslog errors admission apidoc health reconciler}; do
    off=$layer; [ "$layer" != none ] || off=
    servers+=(--server "without-$layer=cd '$root/artifacts/bench/layers' && exec env $settings METRICS_PORT=$(free_port) BENCH_LAYERS_OFF=$off ./Users.Layers")
  done
  BENCH_SHARED="$shared" python3 bench/interleave.py --backend "${LAYERS_BACKEND:-stub}" --users "$users" \
    --rounds "${LAYERS_ROUNDS:-3}" --seconds "${LAYERS_SECONDS:-3}" --concurrency "${LAYERS_CONCURRENCY:-32}" \
    --routes "${LAYERS_ROUTES:-get,post}" --reference floor "${servers[@]}" --json-out "$out/layers-$(date -u +%Y%m%dT%H%M%SZ).jsonl" | grep -v '^INTERLEAVE_JSON '
  exit
fi

# The guard: one sitting, both servers started once and driven in turn (docs/performance.md, "The perf guard").
if [ "$mode" = guard ]; then
  [ "${BENCH_PUBLISH:-1}" = 0 ] || publish aot
  mkdir -p artifacts/test-results/perf
  BENCH_SHARED="$shared" python3 bench/interleave.py --backend moto --users "$users" \
    --rounds "${GUARD_ROUNDS:-7}" --seconds "${GUARD_SECONDS:-3}" --concurrency "${BENCH_CONCURRENCY:-8}" \
    --server "$(label_for aot)=$(command_for aot)" --server "peer=$(command_for peer)" --reference peer \
    --check "$(label_for aot)" --max-ratio "get=${GUARD_MAX_GET:-0.40}" --max-ratio "post=${GUARD_MAX_POST:-0.75}" \
    --json-out "$out/guard-$(date -u +%Y%m%dT%H%M%SZ).jsonl" --junit artifacts/test-results/perf/guard.xml |
    grep -v '^INTERLEAVE_JSON '
  exit
fi

if [ "${BENCH_PUBLISH:-1}" != 0 ]; then
  for v in $variants; do publish "$v"; done
fi

stamp=$(date -u +%Y%m%dT%H%M%SZ)
json=$out/$mode-$stamp.jsonl

# Saturation: one interleaved sitting (bench/interleave.py) against the stub backend at c=32, ratios to the peer.
if [ "$mode" = saturation ]; then
  # Another backend is another condition (moto, c=8: the shared bench's): kept apart from the saturation picture's input.
  [ "${SATURATION_BACKEND:-stub}" = stub ] || json=$out/interleaved-${SATURATION_BACKEND}-$stamp.jsonl
  # Registrations receiving their form at once are capped at 16 (ADMISSION_MAX_CONCURRENT_UPLOADS): at c=32 the rest
  # would be 503s at once, and the sitting would measure the refusal. Raised to twice the concurrency (a slot is given
  # back a moment after the answer), as the registration limit is raised for one client.
  extra_settings="ADMISSION_MAX_CONCURRENT_UPLOADS=$((2 * ${SATURATION_CONCURRENCY:-32}))"
  servers=()
  for v in $variants; do servers+=(--server "$(label_for "$v")=$(command_for "$v")"); done
  BENCH_SHARED="$shared" python3 bench/interleave.py --backend "${SATURATION_BACKEND:-stub}" --users "$users" \
    --rounds "${SATURATION_ROUNDS:-5}" --seconds "${SATURATION_SECONDS:-3}" --concurrency "${SATURATION_CONCURRENCY:-32}" \
    --routes "${SATURATION_ROUTES:-get,post}" --reference peer "${servers[@]}" --json-out "$json" | grep -v '^INTERLEAVE_JSON '
  echo "(raw results: ${json#"$root"/})"
  exit
fi

# Latency against offered load: every variant started once, each rate offered to each in turn (bench/latency_load.py).
if [ "$mode" = latency ]; then
  servers=()
  for v in $variants; do servers+=(--server "$(label_for "$v")=$(command_for "$v")"); done
  BENCH_SHARED="$shared" python3 bench/latency_load.py --users "$users" --rates "${LATENCY_RATES:-50,100,200,400,800,1600,3200}" \
    --seconds "${LATENCY_SECONDS:-4}" --slo-ms "${LATENCY_SLO_MS:-100}" "${servers[@]}" --json-out "$json" |
    grep -v '^LATENCY_JSON '
  echo "(raw results: ${json#"$root"/})"
  exit
fi
echo "machine: $(nproc) cores, $(uname -m), .NET $(dotnet --list-runtimes | awk '/NETCore.App/ {v=$2} END {print v}'), $(/usr/bin/python3 -c 'import flask, boto3, importlib.metadata as m; print("Flask", m.version("flask"), "boto3", boto3.__version__)' 2>/dev/null)"
for run in $(seq "$runs"); do
  for v in $variants; do
    echo "== sitting $run/$runs: $(label_for "$v") ($mode) — load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    case $mode in
      shared)
        BENCH_SHARED=$shared python3 bench/valid_png.py --label "$(label_for "$v")" --users "$users" --warmup "${BENCH_WARMUP:-800}" \
          --seconds "${BENCH_SECONDS:-20}" --concurrency "${BENCH_CONCURRENCY:-8}" --json-out "$json" \
          --server "$(command_for "$v")" | grep -v '^BENCH_JSON ' ;;
      *) echo "usage: $0 shared|saturation|latency|layers|guard" >&2; exit 2 ;;
    esac
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
python3 bench/report.py "$mode" "$json"
echo "(raw results: $json)"
