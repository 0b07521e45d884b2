#!/usr/bin/env bash
# `make run`: the API on http://127.0.0.1:8080 against a local AWS (scripts/lib/local-aws.sh: an emulator on
# 127.0.0.1:4566 unless AWS_ENDPOINT_URL is given, table and bucket created when missing). Ctrl-C stops everything
# this started.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/local-aws.sh
source scripts/lib/local-aws.sh

export ASPNETCORE_URLS=${ASPNETCORE_URLS:-http://127.0.0.1:8080}
ensure_local_aws

echo "==> building"
dotnet build src/Users.Functions -c Release -o .local/api --nologo -v quiet
echo "==> Users API on $ASPNETCORE_URLS (Ctrl-C stops it and everything this started)"
# The built app itself (not `dotnet run`, whose child would outlive it) so the trap stops what serves.
dotnet .local/api/Users.Functions.dll &
started+=("pid:$!")
wait "$!"
