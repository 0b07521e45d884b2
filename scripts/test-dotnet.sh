#!/usr/bin/env bash
# Builds the solution with warnings as errors and runs every .NET test project (test/*/*.csproj) but those another
# step runs (Users.Image.Tests: the image step; Users.Terraform.Tests: the terraform step; Users.MakeRun.Tests: the
# make-run step), two at a time (as `dotnet test` on the solution would on this 2-core machine); each project's output
# is printed as it ends.
# Integration tests start their own moto_server on a free loopback port.
# Results: artifacts/test-results/dotnet/<project>/ (<project>.trx and coverlet's Cobertura file); the TRX files must show
# no skipped test; then scripts/coverage.sh merges the coverage (one report per project), prints the per-assembly
# summary, writes artifacts/coverage/ and enforces the thresholds.
# Extra arguments go to each `dotnet test` (e.g. --filter ...); a filtered run reports coverage but is not gated.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v moto_server >/dev/null || { echo "moto_server is required for the integration tests (pip install 'moto[server]')" >&2; exit 1; }
results=artifacts/test-results/dotnet
parallel=${TEST_PARALLEL:-2}
rm -rf "$results"
mkdir -p "$results"
dotnet build Users.slnx -c Release

# One `dotnet test` per project, so each TRX file has its own name (a solution run gives them all one name).
# Unfiltered, a project that runs no test is an error; a filter (extra arguments) may match nothing in some projects.
strict=()
[ $# -gt 0 ] || strict=(-- RunConfiguration.TreatNoTestsAsError=true)
declare -A running=()
failed=()
finish() { # wait for one project to end, print its output, record a failure
  local pid name
  wait -n "${!running[@]}" 2>/dev/null || true
  for pid in "${!running[@]}"; do
    kill -0 "$pid" 2>/dev/null && continue
    name=${running[$pid]}
    unset "running[$pid]"
    wait "$pid" || failed+=("$name")
    cat "$results/$name/$name.log"
  done
}
for project in test/*/*.csproj; do
  name=$(basename "$project" .csproj)
  # Each needs what another step makes: the image (scripts/test-image.sh runs it), a moto and Terraform apply of its
  # own (the terraform step, scripts/test-terraform.sh, runs it), make run itself (scripts/test-run-local.sh).
  case $name in Users.Image.Tests | Users.Terraform.Tests | Users.MakeRun.Tests) continue ;; esac
  mkdir -p "$results/$name"
  while [ ${#running[@]} -ge "$parallel" ]; do finish; done
  # coverlet resolves what an instrumented assembly references from the test project's deps.json; the shared
  # framework's assemblies are listed there as reference assemblies (PreserveCompilationContext writes them to refs/),
  # which it finds only under DOTNET_REFERENCE_ASSEMBLIES_PATH (read by Microsoft.Extensions.DependencyModel alone).
  # Without it, an assembly whose attributes name a shared-framework type (LoggerMessage's LogLevel) is silently left
  # out: Users.Lambda.Hosting in Users.Lambda.Tests was. Every refs/ entry is the SDK's own reference assembly.
  refs=$(find "$(dirname "$project")/bin/Release" -maxdepth 2 -type d -name refs -print -quit 2>/dev/null || true)
  DOTNET_REFERENCE_ASSEMBLIES_PATH=${refs:+$PWD/$refs} dotnet test "$project" -c Release --no-build --logger "console;verbosity=normal" --logger "trx;LogFileName=$name.trx" \
    --results-directory "$results/$name" --settings coverage.runsettings --collect "XPlat Code Coverage" "$@" \
    "${strict[@]}" >"$results/$name/$name.log" 2>&1 &
  running[$!]=$name
done
while [ ${#running[@]} -gt 0 ]; do finish; done
[ ${#failed[@]} -eq 0 ] || { echo "test projects with failures: ${failed[*]}" >&2; exit 1; }
# shellcheck source=scripts/lib/test-results.sh
source scripts/lib/test-results.sh
test_results check "$results"

if [ $# -eq 0 ]; then bash scripts/coverage.sh "$results"; else COVERAGE_GATE=0 bash scripts/coverage.sh "$results"; fi
