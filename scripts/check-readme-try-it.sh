#!/usr/bin/env bash
# Every command of the README's "Try it" block runs as written against a running `make run` (called by
# scripts/test-run-local.sh, which serves on a free port: `localhost:8080` is rewritten to it, and `make seed` gets
# that URL and COUNT=3). Each command must exit 0 and print something; where the comment line after it shows a
# `"status":N`, an `"email":"…"` or plain words (`# same bytes`), the output must contain them.
set -euo pipefail
cd "$(dirname "$0")/.."
api=${1:?usage: $0 API_URL}
hostport=${api#http://}

block=$(awk '/^## Try it/ { in_section = 1; next } in_section && /^## / { exit } in_section && /^```bash/ { fenced = 1; next } fenced && /^```/ { exit } fenced { print }' README.md)
[ -n "$block" ] || { echo "FAIL: no bash block under README.md's '## Try it'" >&2; exit 1; }

commands=0
run() {
  local command=$1 expected=$2 output rc=0
  command=${command//localhost:8080/$hostport}
  [[ $command != "make seed"* ]] || command="make --no-print-directory seed URL=$api COUNT=3"
  output=$(bash -o pipefail -c "$command" 2>&1) || rc=$?
  [ "$rc" -eq 0 ] || { echo "FAIL: README's '$1' exited $rc: $output" >&2; exit 1; }
  [ -n "$output" ] || { echo "FAIL: README's '$1' printed nothing" >&2; exit 1; }
  for want in $(grep -oE '"status":[0-9]+|"email":"[^"]+"' <<<"$expected" || true); do
    grep -qF -- "$want" <<<"$output" || { echo "FAIL: README's '$1' printed no $want: $output" >&2; exit 1; }
  done
  if [[ $expected =~ ^#\ ([a-z][a-z ]+[a-z]) ]]; then
    grep -qF -- "${BASH_REMATCH[1]}" <<<"$output" || { echo "FAIL: README's '$1' did not print '${BASH_REMATCH[1]}': $output" >&2; exit 1; }
  fi
  commands=$((commands + 1))
}

pending='' expected=''
while IFS= read -r line; do
  if [[ $line == \#* ]]; then
    [ -z "$pending" ] || [ -n "$expected" ] || expected=$line
    continue
  fi
  [ -z "$pending" ] || run "$pending" "$expected"
  pending='' expected=''
  [ -z "${line// /}" ] || pending=$line
done <<<"$block"
[ -z "$pending" ] || run "$pending" "$expected"
[ "$commands" -ge 5 ] || { echo "FAIL: only $commands commands found in README.md's Try it" >&2; exit 1; }
echo "ok: README's Try it: $commands commands ran as written"
