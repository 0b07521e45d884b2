#!/usr/bin/env bash
# `make lambda-local`: the API on http://127.0.0.1:3000 through the Lambda path, as `sam local start-api` serves it:
# the project's Lambda emulator (tools/Users.LambdaEmulator) turns each HTTP request into an API Gateway HTTP API
# payload 2.0 event and hands it to the real function process through an emulated Runtime API.
# Same local AWS as `make run` (scripts/lib/local-aws.sh): AWS_ENDPOINT_URL if set, else an emulator on 127.0.0.1:4566.
#   LAMBDA_PUBLISH=r2r|aot|jit  run the published `bootstrap` (what `sam build` produces) instead of the built dll
#   LAMBDA_PORT=3000            the API's port
#   LAMBDA_FRONT=http|rest      http (default): API Gateway HTTP API, payload 2.0 (template.yaml);
#                               rest: REST API, payload 1.0 (template-rest.yaml): stage prod, reachable at /prod/...
#                               (execute-api URL) or at the root (custom domain), binary media types multipart/form-data, */*
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/lib/local-aws.sh
source scripts/lib/local-aws.sh

export POWERTOOLS_SERVICE_NAME=${POWERTOOLS_SERVICE_NAME:-users-api}
LAMBDA_PORT=${LAMBDA_PORT:-3000}
LAMBDA_FRONT=${LAMBDA_FRONT:-http}
case "$LAMBDA_FRONT" in
  http | rest) ;;
  *) echo "LAMBDA_FRONT must be http or rest, not '$LAMBDA_FRONT'" >&2; exit 2 ;;
esac
port_free_or_exit "$LAMBDA_PORT" "the API" "LAMBDA_PORT=3001 make lambda-local"
ensure_local_aws
# The bucket is private, as in production: a presigned link is one a browser opens (unless a public base URL is given).
[ -n "${AVATARS_PUBLIC_BASE_URL:-}" ] || export AVATAR_URL_MODE=${AVATAR_URL_MODE:-presigned}

echo "==> building the function and the Lambda emulator"
if [ -n "${LAMBDA_PUBLISH:-}" ]; then
  make --no-print-directory lambda-publish LAMBDA_PUBLISH="$LAMBDA_PUBLISH" ARTIFACTS_DIR="$PWD/.local/lambda-$LAMBDA_PUBLISH" >/dev/null
  function_path=.local/lambda-$LAMBDA_PUBLISH/bootstrap
else
  function_path=.local/lambda-function/Users.Functions.dll
  if up_to_date "$function_path"; then
    echo "==> function build up to date ($function_path)"
  else
    dotnet build src/Users.Functions -c Release -o .local/lambda-function --nologo -v quiet
    touch "$function_path"
  fi
fi
dotnet build tools/Users.LambdaEmulator -c Release -o .local/lambda-emulator --nologo -v quiet

wait_data_stores
base_url=http://127.0.0.1:$LAMBDA_PORT
[ "$LAMBDA_FRONT" = rest ] && base_url=$base_url/prod
echo "==> Users API (Lambda path, $LAMBDA_FRONT front, $function_path) on $base_url (Ctrl-C stops it and everything this started)"
say_where_data_lives
dotnet .local/lambda-emulator/Users.LambdaEmulator.dll --function "$function_path" --port "$LAMBDA_PORT" \
  --name users-api --timeout 29 --memory 512 --front "$LAMBDA_FRONT" &
started+=("pid:$!")
serve_until_exit "$!"
