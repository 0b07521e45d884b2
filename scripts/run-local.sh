#!/usr/bin/env bash
# `make run`: the API on http://127.0.0.1:8080 against a local AWS (scripts/lib/local-aws.sh: an emulator on
# 127.0.0.1:4566 unless AWS_ENDPOINT_URL is given; the table and bucket provisioned through the production Terraform).
# The build and the provisioning run side by side; the API starts as soon as both the build and the table and bucket
# are there, while Terraform finishes the bucket's settings (reported when done; a failure stops everything).
# Ctrl-C stops everything this started.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/local-aws.sh
source scripts/lib/local-aws.sh

export ASPNETCORE_URLS=${ASPNETCORE_URLS:-http://127.0.0.1:8080}
# Swagger UI at /swagger for the developer (off in the image, the chart and on Lambda unless turned on there).
export SWAGGER_UI_ENABLED=${SWAGGER_UI_ENABLED:-true}
metrics_port=${METRICS_PORT:-9464}
api_port=${ASPNETCORE_URLS##*:}
api_port=${api_port%%/*}
port_free_or_exit "$api_port" "the API" "ASPNETCORE_URLS=http://127.0.0.1:8081 make run"
[ "$metrics_port" = 0 ] || port_free_or_exit "$metrics_port" "/metrics" "METRICS_PORT=9465 make run, or METRICS_PORT=0 to turn it off"

ensure_local_aws

app=.local/api/Users.Functions.dll
# Up to date when no source, project or props file is newer than the last build's output.
if [ -f "$app" ] && [ -z "$(find src Directory.Build.props Directory.Build.targets Directory.Packages.props global.json -newer "$app" -type f -print -quit)" ]; then
  echo "==> build up to date ($app)"
else
  echo "==> building"
  dotnet build src/Users.Functions -c Release -o .local/api --nologo -v quiet
  touch "$app"
fi

wait_data_stores
echo "==> Users API on $ASPNETCORE_URLS (Ctrl-C stops it and everything this started)"
# The built app itself (not `dotnet run`, whose child would outlive it) so the trap stops what serves.
dotnet "$app" &
started+=("pid:$!")
serve_until_exit "$!"
