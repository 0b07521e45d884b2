#!/usr/bin/env bash
# Where the service's CPU goes at saturation: `perf` over the Native AOT build (the container's build, with its
# symbols in Users.Functions.dbg) against bench/stub_backend.py, one route at a time, driven by wrk at its limit.
#   bench/profile.sh [get|post] [seconds]      (make bench-profile ROUTE=get|post)
# Prints the top symbols by self time, grouped into where they come from (kernel, GC, thread pool, AWS SDK, Kestrel,
# System.Text.Json, ...), as docs/performance.md quotes them. Needs perf (linux-perf) and wrk; loopback only; bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
route=${1:-get} seconds=${2:-10}
command -v perf >/dev/null || { echo "perf is required (apt-get install linux-perf)" >&2; exit 1; }
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
# shellcheck source=scripts/lib/net.sh
source scripts/lib/net.sh
work=$(mktemp -d)
stub_pid="" app_pid=""
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null
  [ -n "$stub_pid" ] && kill "$stub_pid" 2>/dev/null && wait "$stub_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

app=artifacts/bench/aot/Users.Functions
if [ ! -x "$app" ] || [ "${BENCH_PUBLISH:-1}" != 0 ]; then
  echo "publishing the Native AOT build (make publish-native) -> artifacts/bench/aot"
  make --no-print-directory publish-native NATIVE_OUT="$PWD/artifacts/bench/aot" >"$work/publish.log" 2>&1 \
    || { cat "$work/publish.log" >&2; exit 1; }
fi

stub_port=$(free_port) port=$(free_port)
python3 bench/stub_backend.py --port "$stub_port" --users 100 >"$work/stub.log" 2>&1 &
stub_pid=$!
for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$stub_port") 2>/dev/null && break; sleep 0.1; done
( cd artifacts/bench/aot && exec env ASPNETCORE_URLS="http://127.0.0.1:$port" AWS_ENDPOINT_URL="http://127.0.0.1:$stub_port" \
    AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test USERS_TABLE_NAME=users AVATARS_BUCKET_NAME=users-avatars \
    REGISTER_RATE_LIMIT_PER_MINUTE=0 METRICS_PORT=0 ./Users.Functions >"$work/app.log" 2>&1 ) &
app_pid=$!
wait_http "http://127.0.0.1:$port/health/live" 20 200 || { cat "$work/app.log" >&2; exit 1; }

case $route in
  get) script='wrk.method = "GET"; wrk.path = "/users"' ;;
  post) script=$(python3 - <<'PY'
import base64
png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
b = "profile-boundary"
print('counter = 0')
print('request = function()')
print('  counter = counter + 1')
print('  local email = "p" .. counter .. "-" .. math.random(1, 1e9) .. "@example.com"')
print(f'  local body = "--{b}\\r\\nContent-Disposition: form-data; name=\\"name\\"\\r\\n\\r\\nProfile\\r\\n" ..')
print(f'    "--{b}\\r\\nContent-Disposition: form-data; name=\\"email\\"\\r\\n\\r\\n" .. email .. "\\r\\n" ..')
print(f'    "--{b}\\r\\nContent-Disposition: form-data; name=\\"avatar\\"; filename=\\"a.png\\"\\r\\nContent-Type: image/png\\r\\n\\r\\n" ..')
print('    "' + "".join(f"\\{c}" for c in png) + f'" .. "\\r\\n--{b}--\\r\\n"')
print(f'  return wrk.format("POST", "/user", {{["Content-Type"] = "multipart/form-data; boundary={b}"}}, body)')
print('end')
PY
) ;;
  *) echo "usage: $0 [get|post] [seconds]" >&2; exit 2 ;;
esac
echo "$script" >"$work/route.lua"

echo "warm-up 3 s, then perf record -g for ${seconds} s of wrk -c 32 ($route)"
wrk -t 2 -c 32 -d 3s -s "$work/route.lua" "http://127.0.0.1:$port" >/dev/null
wrk -t 2 -c 32 -d "$((seconds + 2))s" -s "$work/route.lua" "http://127.0.0.1:$port" >"$work/wrk.txt" &
wrk_pid=$!
perf record -q -F 499 -g -p "$app_pid" -o "$work/perf.data" -- sleep "$seconds" 2>/dev/null
wait "$wrk_pid"
grep -E "Requests/sec|Non-2xx" "$work/wrk.txt" || true

perf report -i "$work/perf.data" --no-children --sort sym --stdio -g none --percent-limit 0.4 2>/dev/null \
  | grep -E '^ +[0-9]' | head -n 25 | cut -c1-160 >"$work/top.txt"
echo "--- top symbols by self time"
cat "$work/top.txt"
echo "--- inclusive time (self + callees) of the request's main stages"
perf report -i "$work/perf.data" --children --sort sym --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' \
  | grep -E 'Unmarshaller__Unmarshall\b|ScanResponseUnmarshaller__Unmarshall|PutItemResponseUnmarshaller|UserListResult__ExecuteAsync|HttpClient__SendAsync|SocketsHttpHandler|AWS4Signer__SignRequest|ChecksumUtils|Http1Connection__ProcessRequests|MultipartUserForm__ReadAsync|CreateUser__ExecuteAsync|PutObjectAsync|PutItemAsync|JsonSerializer__Serialize|ScanRequestMarshaller|PutObjectRequestMarshaller|gc_heap__garbage_collect|GCHeap__GarbageCollect' \
  | awk '{ printf "  %s %s  %s\n", $1, $2, substr($0, index($0, $4), 120) }' | head -n 25
echo "--- by origin (self time, all symbols)"
perf report -i "$work/perf.data" --no-children --sort dso,sym --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | python3 -c '
import re, sys
groups = [("kernel (syscalls, TCP, scheduler)", r"\[k\]|kernel"), ("strings, UTF-8/UTF-16 transcoding, searching", r"S_P_CoreLib_System_Text_|Utf8|Ascii|String__|RhNewString|IndexOfAny|SpanHelpers|Encoding"),
          ("collections (Dictionary, Stack, List)", r"Collections_Generic"), ("GC", r"WKS::|SVR::|gc_heap|GCHeap|Gc|RhpGc|RhpNew|RhpAssign|memset|memmove|RhpBulk"),
          ("thread pool / sync", r"Threading|Semaphore|LowLevel|WaitHandle|futex|pthread|PortableThreadPool|Monitor"),
          ("AWS SDK", r"Amazon|AWSSDK"), ("sockets / HttpClient", r"System_Net_|Net_Http|Net_Sockets|SocketAsync"),
          ("Kestrel / ASP.NET Core", r"AspNetCore"), ("System.Text.Json", r"Text_Json"), ("crypto (SigV4, checksums)", r"Cryptography|libcrypto|libssl|Sha|Crc"),
          ("logging / telemetry", r"Logging|OpenTelemetry|Diagnostics"), ("Users.*", r"Users_")]
totals = {}
for line in sys.stdin:
    m = re.match(r"\s+([0-9.]+)%\s+(.*)", line)
    if not m: continue
    pct, rest = float(m.group(1)), m.group(2)
    for name, pat in groups:
        if re.search(pat, rest):
            totals[name] = totals.get(name, 0) + pct; break
    else:
        totals["other"] = totals.get("other", 0) + pct
for name, pct in sorted(totals.items(), key=lambda kv: -kv[1]):
    print(f"{pct:6.1f} %  {name}")
'
