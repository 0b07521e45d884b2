#!/usr/bin/env bash
# The make-run step (`make test-run`): `make run` as the README tells a newcomer to use it, on free ports, twice, in
# its own process group as a terminal runs it: it answers, runs the README's "Try it" and sample upload, make seed,
# Swagger UI and the served docs, /metrics on loopback only, make sweep against its emulator, provisioning in the
# background, Ctrl-C (also while Terraform is still applying), a second start that does not build again.
# A launcher only: the checks are test/Users.MakeRun.Tests (xUnit); its console output (verbosity detailed) gives the
# time to each first answer (docs/performance.md quotes it). Results: artifacts/test-results/make-run/make-run.trx.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/test-results.sh
source scripts/lib/test-results.sh

for tool in make python3 pgrep ss curl jq; do
  command -v "$tool" >/dev/null || { echo "test-run-local: '$tool' is required (scripts/ci-setup.sh installs it)" >&2; exit 1; }
done
results=artifacts/test-results/make-run
rm -rf "$results"
dotnet build test/Users.MakeRun.Tests -c Release --nologo -v quiet
dotnet test test/Users.MakeRun.Tests -c Release --no-build --logger "console;verbosity=detailed" \
  --logger "trx;LogFileName=make-run.trx" --results-directory "$results" -- RunConfiguration.TreatNoTestsAsError=true
test_results check "$results" --min Users.MakeRun.Tests.MakeRunTests=13
