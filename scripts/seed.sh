#!/usr/bin/env bash
# `make seed`: registers COUNT test users (seed-1@example.test … seed-N@example.test, docs/examples/avatar.png as each
# one's avatar) through the API itself, POST /user, at URL (default: make run's http://127.0.0.1:8080).
# POST /user admits REGISTER_RATE_LIMIT_BURST registrations per client at once, then REGISTER_RATE_LIMIT_PER_MINUTE:
# a 429 is waited out for the Retry-After it names (at most 60 s each), so a large COUNT takes minutes, not errors.
# A user that already exists (409) counts as seeded: running it twice is harmless.
set -euo pipefail
cd "$(dirname "$0")/.."
url=${1:-http://127.0.0.1:8080}
url=${url%/}
count=${2:-20}
if ! [[ $count =~ ^[0-9]+$ ]] || [ "$count" -lt 1 ] || [ "$count" -gt 10000 ]; then
  echo "COUNT must be a whole number from 1 to 10000, not '$count'" >&2
  exit 2
fi
curl -sf -o /dev/null "$url/health/ready" || { echo "Nothing answers at $url/health/ready: start the API (make run) or give URL=…" >&2; exit 1; }

created=0 existed=0 waited=0
for i in $(seq 1 "$count"); do
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    headers=$(mktemp)
    status=$(curl -s -o /dev/null -D "$headers" -w '%{http_code}' -F "name=Seed User $i" -F "email=seed-$i@example.test" \
      -F avatar=@docs/examples/avatar.png "$url/user")
    retry=$(tr -d '\r' <"$headers" | awk 'tolower($1) == "retry-after:" { print $2 }')
    rm -f "$headers"
    case $status in
      201) created=$((created + 1)); break ;;
      409) existed=$((existed + 1)); break ;;
      429 | 503)
        [[ $retry =~ ^[0-9]+$ ]] || retry=1
        [ "$retry" -le 60 ] || retry=60
        [ "$attempt" -lt 10 ] || { echo "seed-$i: still $status after $attempt attempts" >&2; exit 1; }
        echo "    $status after $created created: waiting the ${retry} s Retry-After asks for"
        waited=$((waited + retry))
        sleep "$retry"
        ;;
      *) echo "seed-$i: POST $url/user answered $status" >&2; exit 1 ;;
    esac
  done
done
echo "seeded $count users at $url: $created created, $existed already there (waited ${waited} s for the registration rate limit)"
