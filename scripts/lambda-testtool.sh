#!/usr/bin/env bash
# `make lambda-testtool`: the API through AWS's own Lambda Test Tool v2 (`dotnet lambda-test-tool`, NuGet package
# Amazon.Lambda.TestTool): its API Gateway emulator on http://127.0.0.1:3000 in the mode of the template, its Lambda
# runtime API on 127.0.0.1:5050, and the function polling that runtime API. docs/lambda.md has the recipe step by step.
# Same local AWS as `make run` (scripts/lib/local-aws.sh); without the tool it says how to get it and stops.
#   LAMBDA_FRONT=http|rest      http (default): HttpV2 mode, the routes of template.yaml;
#                               rest: Rest mode (payload 1.0), the routes of template-rest.yaml (no stage in the path)
#   LAMBDA_PUBLISH=r2r|aot|jit  run the published `bootstrap` (what `sam build` produces) instead of the built dll
#   LAMBDA_PORT=3000  LAMBDA_RUNTIME_PORT=5050  the tool's API Gateway and Lambda runtime API ports
#   APIGATEWAY_EMULATOR_ROUTE_CONFIG  routes other than the template's (LambdaResourceName users-api)
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v dotnet-lambda-test-tool >/dev/null; then
  tool=(dotnet-lambda-test-tool)
elif dotnet tool list --local 2>/dev/null | grep -qi '^amazon\.lambda\.testtool '; then
  tool=(dotnet tool run dotnet-lambda-test-tool)
else
  echo "make lambda-testtool needs AWS's Lambda Test Tool: dotnet tool install -g Amazon.Lambda.TestTool (public NuGet feed); offline, make lambda-local is the equivalent." >&2
  exit 1
fi

# shellcheck source=scripts/lib/local-aws.sh
source scripts/lib/local-aws.sh

LAMBDA_PORT=${LAMBDA_PORT:-3000}
LAMBDA_RUNTIME_PORT=${LAMBDA_RUNTIME_PORT:-5050}
case "${LAMBDA_FRONT:-http}" in
  http) mode=HttpV2 ;;
  rest) mode=Rest ;;
  *) echo "LAMBDA_FRONT must be http or rest, not '$LAMBDA_FRONT'" >&2; exit 2 ;;
esac
export APIGATEWAY_EMULATOR_ROUTE_CONFIG=${APIGATEWAY_EMULATOR_ROUTE_CONFIG:-'[{"LambdaResourceName":"users-api","HttpMethod":"GET","Path":"/users"},{"LambdaResourceName":"users-api","HttpMethod":"POST","Path":"/user"}]'}
port_free_or_exit "$LAMBDA_PORT" "the tool's API Gateway emulator" "LAMBDA_PORT=3001 make lambda-testtool"
port_free_or_exit "$LAMBDA_RUNTIME_PORT" "the tool's Lambda runtime API" "LAMBDA_RUNTIME_PORT=5051 make lambda-testtool"
ensure_local_aws

echo "==> building the function"
if [ -n "${LAMBDA_PUBLISH:-}" ]; then
  make --no-print-directory lambda-publish LAMBDA_PUBLISH="$LAMBDA_PUBLISH" ARTIFACTS_DIR="$PWD/.local/lambda-$LAMBDA_PUBLISH" >/dev/null
  function=(".local/lambda-$LAMBDA_PUBLISH/bootstrap")
else
  dotnet build src/Users.Functions -c Release -o .local/lambda-function --nologo -v quiet
  function=(dotnet .local/lambda-function/Users.Functions.dll)
fi

echo "==> starting AWS's Lambda Test Tool ($mode)"
"${tool[@]}" start --no-launch-window --lambda-emulator-host 127.0.0.1 --lambda-emulator-port "$LAMBDA_RUNTIME_PORT" \
  --api-gateway-emulator-port "$LAMBDA_PORT" --api-gateway-emulator-mode "$mode" &
tool_pid=$!
started+=("tree:$tool_pid")
wait_http "http://127.0.0.1:$LAMBDA_PORT/__lambda_test_tool_apigateway_health__" 60 200

wait_data_stores
echo "==> Users API (Lambda path through AWS's test tool, $mode, ${function[*]}) on http://127.0.0.1:$LAMBDA_PORT (Ctrl-C stops it and everything this started)"
AWS_LAMBDA_RUNTIME_API="127.0.0.1:$LAMBDA_RUNTIME_PORT/users-api" AWS_LAMBDA_FUNCTION_NAME=users-api \
  AWS_LAMBDA_FUNCTION_VERSION=\$LATEST AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512 \
  POWERTOOLS_SERVICE_NAME=${POWERTOOLS_SERVICE_NAME:-users-api} \
  AVATARS_PUBLIC_BASE_URL=${AVATARS_PUBLIC_BASE_URL:-${AWS_ENDPOINT_URL%/}/$AVATARS_BUCKET_NAME} "${function[@]}" &
started+=("pid:$!")
serve_until_exit "$tool_pid" "$!"
