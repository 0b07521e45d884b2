#!/usr/bin/env bash
# `make lambda-local`: the API on http://127.0.0.1:3000 through the Lambda path, as `sam local start-api` serves it:
# the project's Lambda emulator (tools/Users.LambdaEmulator) turns each HTTP request into an API Gateway HTTP API
# payload 2.0 event and hands it to the real function process through an emulated Runtime API.
# Same local AWS as `make run`: AWS_ENDPOINT_URL if set, else LocalStack/moto_server started on 127.0.0.1:4566.
#   LAMBDA_PUBLISH=r2r|aot|jit  run the published `bootstrap` (what `sam build` produces) instead of the built dll
#   LAMBDA_PORT=3000            the API's port
set -euo pipefail
cd "$(dirname "$0")/.."

export AWS_REGION=${AWS_REGION:-us-east-1}
export USERS_TABLE_NAME=${USERS_TABLE_NAME:-users}
export AVATARS_BUCKET_NAME=${AVATARS_BUCKET_NAME:-users-avatars}
export POWERTOOLS_SERVICE_NAME=${POWERTOOLS_SERVICE_NAME:-users-api}
EMULATOR_PORT=${EMULATOR_PORT:-4566}
LAMBDA_PORT=${LAMBDA_PORT:-3000}

started=()
cleanup() {
  for pid in "${started[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${started[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() { # url, seconds
  local deadline=$((SECONDS + $2))
  until curl -s -o /dev/null "$1"; do
    [ $SECONDS -lt $deadline ] || { echo "timed out waiting for $1" >&2; return 1; }
    sleep 0.2
  done
}

if [ -z "${AWS_ENDPOINT_URL:-}" ]; then
  export AWS_ENDPOINT_URL="http://127.0.0.1:${EMULATOR_PORT}"
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
  unset AWS_SESSION_TOKEN AWS_PROFILE
  if curl -s -o /dev/null "$AWS_ENDPOINT_URL"; then
    echo "==> something already listens on $AWS_ENDPOINT_URL: using it"
  elif command -v moto_server >/dev/null; then
    echo "==> starting moto_server on $AWS_ENDPOINT_URL"
    mkdir -p .local
    moto_server -H 127.0.0.1 -p "$EMULATOR_PORT" >.local/moto.log 2>&1 &
    started+=("$!")
    wait_for "$AWS_ENDPOINT_URL/moto-api/" 30
  else
    echo "No local AWS: start LocalStack or moto on $AWS_ENDPOINT_URL (make run does), or set AWS_ENDPOINT_URL." >&2
    exit 1
  fi
else
  echo "==> using AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL"
fi
export AVATARS_PUBLIC_BASE_URL=${AVATARS_PUBLIC_BASE_URL:-${AWS_ENDPOINT_URL%/}/$AVATARS_BUCKET_NAME}

echo "==> ensuring table '$USERS_TABLE_NAME' and bucket '$AVATARS_BUCKET_NAME' exist"
bash scripts/provision-local.sh "$AWS_ENDPOINT_URL"

echo "==> building the function and the Lambda emulator"
if [ -n "${LAMBDA_PUBLISH:-}" ]; then
  make --no-print-directory lambda-publish LAMBDA_PUBLISH="$LAMBDA_PUBLISH" ARTIFACTS_DIR="$PWD/.local/lambda-$LAMBDA_PUBLISH" >/dev/null
  function_path=.local/lambda-$LAMBDA_PUBLISH/bootstrap
else
  dotnet build src/Users.Functions -c Release -o .local/lambda-function --nologo -v quiet
  function_path=.local/lambda-function/Users.Functions.dll
fi
dotnet build tools/Users.LambdaEmulator -c Release -o .local/lambda-emulator --nologo -v quiet

echo "==> Users API (Lambda path, $function_path) on http://127.0.0.1:$LAMBDA_PORT (Ctrl-C stops it and everything this started)"
dotnet .local/lambda-emulator/Users.LambdaEmulator.dll --function "$function_path" --port "$LAMBDA_PORT" \
  --name users-api --timeout 29 --memory 512 &
started+=("$!")
wait "${started[-1]}"
