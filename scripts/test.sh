#!/usr/bin/env bash
# `make test`: every check the project has, in order, with a summary at the end.
# Each step is its own script so it can be run alone (see the Makefile).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

steps=(
  "format:scripts/test-format.sh"
  "dotnet:scripts/test-dotnet.sh"
  "terraform:scripts/test-terraform.sh"
  "sam:scripts/test-sam.sh"
  "image:scripts/test-image.sh"
)

passed=0 failed=0 failures=()
for step in "${steps[@]}"; do
  name=${step%%:*} script=${step#*:}
  [ -f "$script" ] || continue
  echo "==> [$name] $script"
  start=$(date +%s)
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
[ $failed -eq 0 ]
