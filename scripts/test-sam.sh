#!/usr/bin/env bash
# SAM checks: cfn-lint on template.yaml, then what `sam build` does with a makefile build: copy CodeUri (the repository
# root, without bin/obj/.git) to a scratch folder, run `make build-UsersApiFunction` there with ARTIFACTS_DIR set, and
# check the bootstrap it leaves: an executable that serves an invocation through an emulated Runtime API.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

command -v cfn-lint >/dev/null || { echo "cfn-lint is required (pip install cfn-lint)" >&2; exit 1; }
echo "--- cfn-lint template.yaml"
cfn-lint template.yaml
echo "cfn-lint: clean"

scratch=$(mktemp -d)
emulator_pid=""
cleanup() {
  if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT

echo "--- sam build simulation: make build-UsersApiFunction in a copy of CodeUri"
mkdir -p "$scratch/src" "$scratch/artifacts"
tar -C "$root" --exclude=.git --exclude=bin --exclude=obj --exclude=.aws-sam --exclude=artifacts --exclude=.local \
  --exclude=.terraform -cf - . | tar -C "$scratch/src" -xf -
( cd "$scratch/src" && ARTIFACTS_DIR="$scratch/artifacts" make build-UsersApiFunction ${LAMBDA_PUBLISH:+LAMBDA_PUBLISH=$LAMBDA_PUBLISH} )
[ -f "$scratch/artifacts/bootstrap" ] || { echo "FAIL: no bootstrap in ARTIFACTS_DIR" >&2; exit 1; }
[ -x "$scratch/artifacts/bootstrap" ] || { echo "FAIL: bootstrap is not executable" >&2; exit 1; }
echo "bootstrap: $(du -sh "$scratch/artifacts" | cut -f1) in ARTIFACTS_DIR, $(file -b "$scratch/artifacts/bootstrap" 2>/dev/null | cut -d, -f1-2 || echo executable)"

echo "--- the bootstrap serves an invocation through the Runtime API"
dotnet build tools/Users.LambdaEmulator -c Release -v quiet -nologo >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
dotnet tools/Users.LambdaEmulator/bin/Release/net10.0/Users.LambdaEmulator.dll \
  --function "$scratch/artifacts/bootstrap" --port "$port" --timeout 20 >"$scratch/emulator.log" 2>&1 &
emulator_pid=$!
status=""
deadline=$((SECONDS + 60))
while [ $SECONDS -lt $deadline ]; do
  status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/live" || true)
  [ "$status" = "200" ] && break
  kill -0 "$emulator_pid" 2>/dev/null || break
  sleep 0.5
done
if [ "$status" != "200" ]; then
  echo "FAIL: GET /health/live through the Lambda emulator answered '$status'" >&2
  tail -40 "$scratch/emulator.log" >&2
  exit 1
fi
grep -q '"function_request_id"' "$scratch/emulator.log" || { echo "FAIL: no Powertools-shaped log line from the function" >&2; tail -20 "$scratch/emulator.log" >&2; exit 1; }
echo "bootstrap answered GET /health/live 200 through the emulated Runtime API"
echo "sam: 3 passed, 0 failed"
