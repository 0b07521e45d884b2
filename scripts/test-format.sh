#!/usr/bin/env bash
# Style and lint: dotnet format must have nothing to change; shellcheck must pass on every script.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet format Users.slnx --verify-no-changes --verbosity minimal
shellcheck -x scripts/*.sh scripts/lib/*.sh bench/*.sh .ci/run
echo "format and lint: clean"
