#!/usr/bin/env bash
# What a reader of the docs meets on a running service (called by scripts/test-run-local.sh against `make run`, or by
# hand: bash scripts/check-served-docs.sh http://127.0.0.1:8080):
#  - the OpenAPI document it serves passes `redocly lint` (tools/docs-check/redocly.yaml: the recommended rules,
#    warnings as errors);
#  - Swagger UI works in a real browser (tools/docs-check/swagger-browser.mjs: playwright-core on Debian's chromium):
#    "Try it out" on POST /user with a file answers 201, and GET /users on the same page lists that user; its
#    screenshot is artifacts/docs/swagger.png (CI keeps artifacts/).
# Needs tools/docs-check's npm packages (scripts/ci-setup.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
api=${1:?usage: $0 API_URL}
tools=tools/docs-check
[ -x "$tools/node_modules/.bin/redocly" ] || { echo "FAIL: $tools/node_modules is not installed: run scripts/ci-setup.sh" >&2; exit 1; }
out=artifacts/docs
mkdir -p "$out"

curl -sf "$api/openapi/v1.json" -o "$out/openapi.json" || { echo "FAIL: GET $api/openapi/v1.json" >&2; exit 1; }
# Redocly's banner about future Node.js versions is noise here; its verdict and every problem it finds are kept.
if ! "$tools/node_modules/.bin/redocly" lint --config "$tools/redocly.yaml" --format=stylish "$out/openapi.json" >"$out/redocly.log" 2>&1; then
  grep -vE '[║╔╚]' "$out/redocly.log" >&2
  echo "FAIL: redocly lint found problems in the served OpenAPI document ($out/openapi.json)" >&2
  exit 1
fi
echo "ok: redocly lint: the served OpenAPI document is clean"

[ -x /usr/bin/chromium ] || { echo "FAIL: /usr/bin/chromium is missing: run scripts/ci-setup.sh (apt chromium)" >&2; exit 1; }
node "$tools/swagger-browser.mjs" "$api" docs/examples/avatar.png "$out/swagger.png"
