#!/usr/bin/env bash
# `make run` as the README tells a newcomer to use it, on free ports, twice:
#  1. it answers GET /users, runs every command of the README's "Try it" as written, accepts the README's sample
#     upload, serves Swagger UI, listens for /metrics on loopback only, `make sweep` runs against its emulator,
#     finishes provisioning the production settings in the background, and on Ctrl-C (SIGINT to its process group,
#     as a terminal sends it) stops everything;
#  2. started again (build up to date, a new empty emulator) it answers, and Ctrl-C while Terraform is still
#     applying stops everything too.
# Prints how long each first answer took (figures, not assertions: docs/performance.md quotes them).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/net.sh
source scripts/lib/net.sh

api_port=$(free_port) metrics_port=$(free_port) emulator_port=$(free_port)
api=http://127.0.0.1:$api_port
log=$(mktemp)
group=
fail() { echo "FAIL: $*" >&2; echo "--- make run output:" >&2; cat "$log" >&2; exit 1; }
pass() { echo "ok: $*"; }
cleanup() { [ -z "$group" ] || kill -KILL -- "-$group" 2>/dev/null || true; rm -f "$log"; }
trap cleanup EXIT

# start_make_run: `make run` in its own process group (a new session), so a SIGINT to the group reaches make and
# everything under it, like Ctrl-C; waits for GET /users to answer 200 and prints how long that took.
start_make_run() {
  local start=$SECONDS
  # A background job of a script starts with SIGINT ignored (and a shell cannot trap a signal ignored at entry):
  # restore its default, as a terminal's foreground job has it, before exec'ing make in a new session.
  env -u AWS_ENDPOINT_URL ASPNETCORE_URLS="$api" METRICS_PORT="$metrics_port" EMULATOR_PORT="$emulator_port" \
    python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.setsid(); os.execvp(sys.argv[1], sys.argv[1:])' \
    make --no-print-directory run >"$log" 2>&1 &
  group=$!
  wait_http "$api/users" 300 200 || fail "GET /users never answered 200"
  pass "$1: GET /users answered 200, $((SECONDS - start)) s after make run"
}

# ctrl_c: SIGINT to the group, then nothing of it may remain and no port may still be served.
ctrl_c() {
  local deadline=$((SECONDS + 60))
  kill -INT -- "-$group"
  while pgrep -g "$group" >/dev/null; do
    [ $SECONDS -lt $deadline ] || fail "still running 60 s after Ctrl-C: $(pgrep -a -g "$group" | tr '\n' ';')"
    sleep 0.5
  done
  for port in "$api_port" "$metrics_port" "$emulator_port"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then fail "port $port still served after Ctrl-C"; fi
  done
  group=
  pass "$1"
}

start_make_run "first start"
bash scripts/check-readme-try-it.sh "$api" || fail "the README's Try it (scripts/check-readme-try-it.sh)"
email="make-run-$$@example.com"
status=$(curl -s -o /dev/null -w '%{http_code}' -F name="Make Run" -F email="$email" -F avatar=@docs/examples/avatar.png "$api/user")
[ "$status" = 201 ] || fail "POST /user with the README's sample avatar answered $status"
curl -sf "$api/users" | grep -q "\"$email\"" || fail "the user just created is not listed"
pass "the README's upload (docs/examples/avatar.png) created a listed user"
# The avatar link make run returns opens (presigned: the bucket is private) and serves exactly the uploaded bytes.
avatar_url=$(curl -sf "$api/users" | jq -r --arg e "$email" '.[] | select(.email == $e) | .avatar_url')
curl -sf "$avatar_url" -o "$log.avatar" || fail "the avatar_url make run returned does not open: $avatar_url"
cmp -s "$log.avatar" docs/examples/avatar.png || fail "the avatar_url serves other bytes than the uploaded docs/examples/avatar.png"
rm -f "$log.avatar"
pass "the avatar_url opens (presigned) and serves the uploaded bytes"
make --no-print-directory seed URL="$api" COUNT=3 || fail "make seed URL=$api COUNT=3"
[ "$(curl -sf "$api/users" | jq '[.[] | select(.email | test("^seed-[123]@example.test$"))] | length')" = 3 ] || fail "make seed's 3 users are not listed"
pass "make seed registered 3 listed users"
grep -q "data lives in the emulator's memory" "$log" || fail "make run does not say its data lives in the emulator's memory"
status=$(curl -s -o /dev/null -w '%{http_code}' "$api/swagger/index.html")
[ "$status" = 200 ] || fail "Swagger UI (/swagger/index.html) answered $status under make run"
pass "Swagger UI is on under make run"
bash scripts/check-served-docs.sh "$api" || fail "the served docs (scripts/check-served-docs.sh)"
# The management port listens where the API does: loopback only (an address of this machine's other interfaces
# would show as 0.0.0.0, [::] or that address).
listening=$(ss -Hltn "sport = :$metrics_port" | awk '{ print $4 }' | sort -u | tr '\n' ' ')
[ "$listening" = "127.0.0.1:$metrics_port " ] || fail "/metrics listens on '$listening', expected 127.0.0.1:$metrics_port only"
# (Into a variable, not piped to grep -q: after this much traffic the page is long, and grep's early exit would fail curl.)
metrics=$(curl -sf "http://127.0.0.1:$metrics_port/metrics") || fail "GET /metrics on 127.0.0.1:$metrics_port failed"
grep -q '^# TYPE' <<<"$metrics" || fail "/metrics on 127.0.0.1:$metrics_port serves no metrics"
pass "/metrics listens on 127.0.0.1:$metrics_port only"

# `make sweep` against this `make run`'s emulator: every avatar stored above is a user's (and within the grace period),
# so a dry run and a run examine one avatar per user and find and remove nothing.
sweep=$(EMULATOR_PORT="$emulator_port" make --no-print-directory sweep SWEEP_DRY_RUN=1 2>&1) || fail "make sweep SWEEP_DRY_RUN=1 failed: $sweep"
grep -qE 'Avatar sweep dry run completed: ([0-9]+) avatars examined, 0 orphans found, 0 would be removed .*, \1 users' <<<"$sweep" || fail "make sweep SWEEP_DRY_RUN=1 said: $sweep"
sweep=$(EMULATOR_PORT="$emulator_port" make --no-print-directory sweep 2>&1) || fail "make sweep failed: $sweep"
grep -qE 'Avatar sweep completed: ([0-9]+) avatars examined, 0 orphans found, 0 removed, .*, \1 users' <<<"$sweep" || fail "make sweep said: $sweep"
pass "make sweep (and SWEEP_DRY_RUN=1) ran against make run's emulator and kept the new user's avatar"

deadline=$((SECONDS + 300))
until grep -q '^==> provisioning complete' "$log"; do
  pgrep -g "$group" >/dev/null || fail "make run exited before provisioning completed"
  [ $SECONDS -lt $deadline ] || fail "provisioning did not complete within 300 s"
  sleep 1
done
# The emulator make run started is empty: the table and bucket come from the AWS CLI at once, then Terraform imports
# them and applies every other setting (scripts/provision-local.sh).
applied=$(grep -oE 'Resources: [0-9]+ imported, [0-9]+ added' "$log" || true)
[[ $applied == "Resources: 2 imported, "* ]] || fail "Terraform did not import the table and bucket and apply the rest: '$applied'"
pass "provisioning complete ($applied)"
ctrl_c "Ctrl-C stopped the API and the emulator"

start_make_run "second start"
grep -q '^==> build up to date' "$log" || fail "the second start built again"
grep -q '^==> provisioning complete' "$log" && fail "provisioning already complete: nothing tested Ctrl-C during Terraform"
ctrl_c "Ctrl-C while Terraform was still applying stopped everything"
