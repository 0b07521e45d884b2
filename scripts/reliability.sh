#!/usr/bin/env bash
# `make reliability`: the reliability campaign (tools/Users.Reliability) against the published app and a
# moto_server of its own, on loopback only, every request loop bounded in time. A full run (no SCENARIOS, no QUICK)
# regenerates docs/reliability.md; a partial one writes artifacts/reliability/report.md.
#   SCENARIOS=overload,faults   only these (sustained, overload, abuse, faults, rolling, hostile, fuzz)
#   QUICK=1                     shortened phases
#   UPDATE_DOC=1                with SCENARIOS: replace those scenarios' sections in docs/reliability.md
#   APP=native                  against the Native AOT executable the image ships (make publish-native), not the JIT dll
set -euo pipefail
cd "$(dirname "$0")/.."
command -v moto_server >/dev/null || { echo "moto_server is required (pip install 'moto[server]')" >&2; exit 1; }

dotnet build tools/Users.Reliability -c Release --nologo -v quiet
if [ "${APP:-}" = native ]; then
  make --no-print-directory publish-native
  app=artifacts/native/Users.Functions
else
  dotnet build src/Users.Functions -c Release --nologo -v quiet
  app=src/Users.Functions/bin/Release/net10.0/Users.Functions.dll
fi

args=(--app "$app" --logs artifacts/reliability --junit artifacts/test-results/reliability/scenarios.xml)
if [ -z "${SCENARIOS:-}" ] && [ -z "${QUICK:-}" ]; then
  args+=(--report docs/reliability.md)
elif [ -n "${UPDATE_DOC:-}" ] && [ -z "${QUICK:-}" ]; then
  args+=(--report docs/reliability.md --merge)
else
  mkdir -p artifacts/reliability
  args+=(--report artifacts/reliability/report.md)
fi
[ -n "${QUICK:-}" ] && args+=(--quick)
[ -n "${SCENARIOS:-}" ] && args+=(--scenarios "$SCENARIOS")
exec dotnet tools/Users.Reliability/bin/Release/net10.0/Users.Reliability.dll "${args[@]}"
