#!/usr/bin/env bash
# `make test`: every check the project has, in order, with a summary at the end.
# Each step is its own script so it can be run alone (see the Makefile).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

steps=(
  "restore:scripts/test-restore.sh"
  "format:scripts/test-format.sh"
  "dotnet:scripts/test-dotnet.sh"
  "observability:scripts/test-observability.sh"
  "terraform:scripts/test-terraform.sh"
  "make-run:scripts/test-run-local.sh"
  "sam:scripts/test-sam.sh"
  "image:scripts/test-image.sh"
  "reliability:scripts/test-reliability.sh"
)

passed=0 failed=0 failures=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for step in "${steps[@]}"; do
  name=${step%%:*} script=${step#*:}
  [ -f "$script" ] || continue
  echo "==> [$name] $script"
  start=$(date +%s)
  if bash "$script" 2>&1 | tee -a "$log"; then
    passed=$((passed + 1))
    echo "==> [$name] ok ($(($(date +%s) - start)) s)"
  else
    failed=$((failed + 1)); failures+=("$name")
    echo "==> [$name] FAILED ($(($(date +%s) - start)) s)"
  fi
done

# Test counts from the runners' summaries: `dotnet test` (the "Total tests" block and its one-line form) and
# `terraform test` ("Success! N passed, M failed.").
sum() { grep -oE '[0-9]+' | awk '{ s += $1 } END { print s + 0 }'; }
tests_passed=$(( $(grep -hoE '^\s+Passed: [0-9]+$|Passed: +[0-9]+, Skipped|(Success|Failure)! [0-9]+ passed' "$log" | sum) ))
tests_failed=$(( $(grep -hoE '^\s+Failed: [0-9]+$|Failed: +[0-9]+, Passed|(Success|Failure)! [0-9]+ passed, [0-9]+ failed' "$log" | sed -E 's/.*passed, //' | sum) ))

echo
[ $failed -eq 0 ] || echo "failed steps: ${failures[*]}"
echo "steps: $passed passed, $failed failed"
echo "tests: ${tests_passed:-0} passed, ${tests_failed:-0} failed"
[ $failed -eq 0 ]
