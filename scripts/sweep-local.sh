#!/usr/bin/env bash
# `make sweep`: one run of the avatar sweep (`Users.Functions sweep`, what the chart's CronJob and the SAM stack's sweep
# function run) against `make run`'s local AWS: the emulator it started on 127.0.0.1:${EMULATOR_PORT:-4566}, or the
# endpoint AWS_ENDPOINT_URL names. Its log lists every avatar it removes; SWEEP_DRY_RUN=1 lists them and removes
# nothing. The settings are the service's (USERS_TABLE_NAME, AVATARS_BUCKET_NAME, AWS_REGION, SWEEP_GRACE_PERIOD_SECONDS:
# an hour by default, at least 20 s). Exit code: 0 done, 1 failed or refused (the last line says why), 2 invalid settings.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/local-aws.sh
source scripts/lib/local-aws.sh # the same defaults as make run (region, table, bucket); starts nothing by itself

if [ -z "${AWS_ENDPOINT_URL:-}" ]; then
  export AWS_ENDPOINT_URL="http://127.0.0.1:${EMULATOR_PORT}"
  # A local emulator accepts any credentials; keep real ones out of it.
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
  unset AWS_SESSION_TOKEN AWS_PROFILE
  curl -s -o /dev/null --max-time 5 "$AWS_ENDPOINT_URL" || {
    echo "Nothing answers on $AWS_ENDPOINT_URL: start \`make run\` first (its emulator holds the data), or set AWS_ENDPOINT_URL." >&2
    exit 1
  }
fi
echo "==> avatar sweep of table '$USERS_TABLE_NAME' and bucket '$AVATARS_BUCKET_NAME' at $AWS_ENDPOINT_URL${SWEEP_DRY_RUN:+ (SWEEP_DRY_RUN=$SWEEP_DRY_RUN)}"

# The build `make run` serves when it is up to date (nothing newer under src/ or the props); else a build of its own,
# so that a running `make run` is never rebuilt under its feet.
up_to_date() { [ -f "$1" ] && [ -z "$(find src Directory.Build.props Directory.Packages.props global.json -newer "$1" -type f -print -quit)" ]; }
app=.local/api/Users.Functions.dll
if ! up_to_date "$app"; then
  app=.local/sweep/Users.Functions.dll
  if ! up_to_date "$app"; then
    echo "==> building"
    dotnet build src/Users.Functions -c Release -o .local/sweep --nologo -v quiet
    touch "$app"
  fi
fi
exec dotnet "$app" sweep
