#!/usr/bin/env bash
# `make test`: every check the project has, in order, with a summary at the end.
# Each step is its own script so it can be run alone (see the Makefile); a step whose script is missing fails.
# Test counts come from the result files the runners write under artifacts/test-results/ (TRX, JUnit XML, terraform
# test -json lines as *.jsonl), read by tools/Users.ResultCheck, not from their console output.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

steps=(
  "restore:scripts/test-restore.sh"
  "format:scripts/test-format.sh"
  "docs:scripts/test-docs.sh"
  "dotnet:scripts/test-dotnet.sh"
  "observability:scripts/test-observability.sh"
  "terraform:scripts/test-terraform.sh"
  "make-run:scripts/test-run-local.sh"
  "sam:scripts/test-sam.sh"
  "image:scripts/test-image.sh"
  "reliability:scripts/test-reliability.sh"
  "perf:scripts/test-perf.sh"
)

passed=0 failed=0 failures=()
rm -rf artifacts/test-results
mkdir -p artifacts/test-results
for step in "${steps[@]}"; do
  name=${step%%:*} script=${step#*:}
  echo "==> [$name] $script"
  start=$(date +%s)
  if [ ! -f "$script" ]; then
    echo "$script does not exist"
    failed=$((failed + 1)); failures+=("$name")
    echo "==> [$name] FAILED (no script)"
    continue
  fi
  if bash "$script"; then
    passed=$((passed + 1))
    echo "==> [$name] ok ($(($(date +%s) - start)) s)"
  else
    failed=$((failed + 1)); failures+=("$name")
    echo "==> [$name] FAILED ($(($(date +%s) - start)) s)"
  fi
done

echo
[ $failed -eq 0 ] || echo "failed steps: ${failures[*]}"
echo "steps: $passed passed, $failed failed"
# shellcheck source=scripts/lib/test-results.sh
source scripts/lib/test-results.sh
test_results summary artifacts/test-results || echo "tests: the result files could not be read"
[ $failed -eq 0 ]
