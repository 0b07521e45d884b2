#!/usr/bin/env bash
# `make smoke URL=https://…`: the non-destructive part of the API contract (test/Users.Api.Tests/Smoke/) against a
# running deployment, over HTTP only: health, GET /users shape and paging, 400/404/405/415 problem details, and an
# invalid POST that must be refused and write nothing. SMOKE_ALLOW_WRITES=1 adds one POST /user with a unique
# smoke-…@example.com address (it stays: the API has no delete). SMOKE_SCOPE=api keeps to the two API routes (GET /users,
# POST /user: what the SAM HTTP API routes), leaving out health, 404 and 405. Exit status: 0 only when every check passed.
# Needs the .NET SDK only (no emulator, no AWS credentials). Results: artifacts/smoke/.
set -euo pipefail
cd "$(dirname "$0")/.."

url=${1:-${URL:-}}
if [ -z "$url" ]; then
  echo "usage: make smoke URL=https://<api base URL> [SMOKE_ALLOW_WRITES=1]" >&2
  exit 2
fi
if ! [[ $url =~ ^https?://[^[:space:]/]+(/[^[:space:]?#]*)?$ ]]; then
  echo "smoke: URL='$url' is not valid: expected an http(s) base URL without query, e.g. https://api.example.com/" >&2
  exit 2
fi
filter="Category=Smoke"
case "${SMOKE_ALLOW_WRITES:-0}" in
  1|true) filter="Category=Smoke|Category=SmokeWrite" ;;
  0|false|"") ;;
  *) echo "smoke: SMOKE_ALLOW_WRITES='${SMOKE_ALLOW_WRITES}' is not valid: expected 0 or 1" >&2; exit 2 ;;
esac
case "${SMOKE_SCOPE:-all}" in
  all) ;;
  api) filter="($filter)&Scope!=AnyRoute" ;;
  *) echo "smoke: SMOKE_SCOPE='${SMOKE_SCOPE}' is not valid: expected all or api" >&2; exit 2 ;;
esac

echo "smoke: $url ($filter)"
SMOKE_BASE_URL=$url dotnet test test/Users.Api.Tests -c Release --filter "$filter" \
  --logger "console;verbosity=normal" --logger trx --results-directory artifacts/smoke
