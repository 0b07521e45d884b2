#!/usr/bin/env bash
# SAM checks: cfn-lint on template.yaml (HTTP API) and template-rest.yaml (REST API), which must share their parameters
# and function settings; then what `sam build` does with a makefile build: copy CodeUri (the repository root, without
# bin/obj/.git) to a scratch folder, run `make build-UsersApiFunction` there with ARTIFACTS_DIR set, and check the
# bootstrap it leaves: an executable that serves the whole API contract through the Lambda emulator, behind its
# HTTP API front (payload 2.0) and its REST API front (payload 1.0), and gets its AWS credentials from every source
# of the SDK's default chain without static keys (test/Users.Api.Tests/Credentials); then the same against a Native AOT
# bootstrap. Each run names its test classes with the fewest tests each must pass, checked from its TRX file
# (artifacts/test-results/sam-*/): a renamed class cannot drop out of the filter unnoticed, and no match is an error.
# The Native AOT leg needs clang or gcc (scripts/ci-setup.sh installs clang); without one the step fails, unless
# SKIP_NATIVE_AOT=1 says to leave that leg out.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=scripts/lib/test-results.sh
source scripts/lib/test-results.sh
if ! command -v clang >/dev/null && ! command -v gcc >/dev/null && [ "${SKIP_NATIVE_AOT:-}" != 1 ]; then
  echo "FAIL: no clang or gcc to link the Native AOT bootstrap (scripts/ci-setup.sh installs clang and zlib1g-dev; SKIP_NATIVE_AOT=1 leaves that leg out)" >&2
  exit 1
fi

command -v cfn-lint >/dev/null || { echo "cfn-lint is required (pip install cfn-lint)" >&2; exit 1; }
echo "--- cfn-lint template.yaml template-rest.yaml"
cfn-lint template.yaml template-rest.yaml
echo "cfn-lint: clean"
# The REST variant differs only in its API: Parameters and Globals (everything before Resources:) are the same text.
if ! diff <(sed -n '/^Parameters:/,/^Resources:/p' template.yaml) <(sed -n '/^Parameters:/,/^Resources:/p' template-rest.yaml); then
  echo "FAIL: template-rest.yaml's Parameters/Globals differ from template.yaml's (copy the change across)" >&2
  exit 1
fi
echo "template-rest.yaml: same parameters and function settings as template.yaml"

# run_classes RESULTS CLASS=MIN...: runs exactly these classes of Users.Api.Tests, then checks its TRX file.
run_classes() {
  local results=$1 filter="" mins=() class
  shift
  for class in "$@"; do filter+="FullyQualifiedName~Users.Api.Tests.${class%%=*}.|" mins+=(--min "Users.Api.Tests.$class"); done
  rm -rf "$results"
  dotnet test test/Users.Api.Tests -c Release --no-build --filter "${filter%|}" --logger "console;verbosity=minimal" \
    --logger "trx;LogFileName=tests.trx" --results-directory "$results" -- RunConfiguration.TreatNoTestsAsError=true
  test_results check "$results" "${mins[@]}"
}

scratch=$(mktemp -d)
cleanup() {
  rm -rf "$scratch"
}
trap cleanup EXIT

echo "--- sam build simulation: make build-UsersApiFunction in a copy of CodeUri"
mkdir -p "$scratch/src" "$scratch/artifacts"
tar -C "$root" --exclude=.git --exclude=bin --exclude=obj --exclude=.aws-sam --exclude=artifacts --exclude=.local \
  --exclude=.terraform -cf - . | tar -C "$scratch/src" -xf -
( cd "$scratch/src" && ARTIFACTS_DIR="$scratch/artifacts" make build-UsersApiFunction ${LAMBDA_PUBLISH:+LAMBDA_PUBLISH=$LAMBDA_PUBLISH} )
[ -f "$scratch/artifacts/bootstrap" ] || { echo "FAIL: no bootstrap in ARTIFACTS_DIR" >&2; exit 1; }
[ -x "$scratch/artifacts/bootstrap" ] || { echo "FAIL: bootstrap is not executable" >&2; exit 1; }
echo "bootstrap: $(du -sh "$scratch/artifacts" | cut -f1) in ARTIFACTS_DIR, $(file -b "$scratch/artifacts/bootstrap" 2>/dev/null | cut -d, -f1-2 || echo executable)"

echo "--- the API contract suite against this bootstrap, through the Lambda emulator's HTTP API and REST API fronts,"
echo "    and every credential source without static keys (IRSA, Pod Identity, assume-role and SSO profiles)"
dotnet build test/Users.Api.Tests -c Release --nologo -v quiet
LAMBDA_TEST_FUNCTION="$scratch/artifacts/bootstrap" run_classes artifacts/test-results/sam-r2r \
  Contract.LambdaContractTests=45 Contract.LambdaRestContractTests=45 Hosting.LambdaHostTests=4 Hosting.LambdaMetricsTests=1 \
  Credentials.CredentialSourceTests=4

# Native AOT: the same contract against an AOT bootstrap (SKIP_NATIVE_AOT=1 leaves it out, see above).
if [ "${SKIP_NATIVE_AOT:-}" = 1 ]; then
  echo "--- Native AOT: left out (SKIP_NATIVE_AOT=1)"
  exit 0
fi
echo "--- Native AOT: make build-UsersApiFunction LAMBDA_PUBLISH=aot, then the contract suite and every credential"
echo "    source and failure (trimming must keep the STS and SSO clients the SDK loads by name), on the Lambda path"
echo "    and, as the container image runs the same native build, on Kestrel as its own process (API_TEST_APP)"
rm -rf "$scratch/artifacts-aot"
( cd "$scratch/src" && ARTIFACTS_DIR="$scratch/artifacts-aot" make build-UsersApiFunction LAMBDA_PUBLISH=aot )
LAMBDA_TEST_FUNCTION="$scratch/artifacts-aot/bootstrap" API_TEST_APP="$scratch/artifacts-aot/bootstrap" run_classes artifacts/test-results/sam-aot \
  Contract.LambdaContractTests=45 Contract.ProcessContractTests=46 Hosting.LambdaMetricsTests=1 \
  Credentials.CredentialSourceTests=4 Credentials.CredentialFailureTests=4 Credentials.AccessDeniedTests=1
