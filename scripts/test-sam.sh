#!/usr/bin/env bash
# SAM checks, a launcher; the checks are test runners', their TRX files (artifacts/test-results/sam-*/) read by
# tools/Users.ResultCheck with the fewest passed tests each class must show (a renamed class cannot drop out unseen):
#   1. test/Users.Lambda.Tests' SamTemplateTests: cfn-lint on both templates, what they must share, the build target;
#   2. what `sam build` does (CodeUri, the repository root without bin/obj/.git, copied to a scratch folder, `make
#      build-UsersApiFunction` there with ARTIFACTS_DIR set), then test/Users.Api.Tests against that bootstrap: the API
#      contract through both API fronts, every credential source, the sweep function's crash proof; then the same
#      against a Native AOT bootstrap, also on Kestrel. That leg needs clang or gcc (scripts/ci-setup.sh installs
#      clang); without one the step fails, unless SKIP_NATIVE_AOT=1 says to leave it out.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/test-results.sh
source scripts/lib/test-results.sh
if ! command -v clang >/dev/null && ! command -v gcc >/dev/null && [ "${SKIP_NATIVE_AOT:-}" != 1 ]; then
  echo "FAIL: no clang or gcc to link the Native AOT bootstrap (scripts/ci-setup.sh installs clang and zlib1g-dev; SKIP_NATIVE_AOT=1 leaves that leg out)" >&2
  exit 1
fi
command -v cfn-lint >/dev/null || { echo "cfn-lint is required (pip install cfn-lint)" >&2; exit 1; }

# run_classes PROJECT RESULTS CLASS=MIN...: runs exactly these classes of the test project, then checks its TRX file.
run_classes() {
  local project=$1 results=$2 filter="" mins=() class
  shift 2
  for class in "$@"; do filter+="FullyQualifiedName~$project.${class%%=*}.|" mins+=(--min "$project.$class"); done
  rm -rf "$results"
  dotnet test "test/$project" -c Release --no-build --filter "${filter%|}" --logger "console;verbosity=minimal" \
    --logger "trx;LogFileName=tests.trx" --results-directory "$results" -- RunConfiguration.TreatNoTestsAsError=true
  test_results check "$results" "${mins[@]}"
}
# sam_build DIR [MAKE ARGS]: the sam build simulation into DIR; an executable bootstrap must be there.
sam_build() {
  ( cd "$scratch/src" && ARTIFACTS_DIR="$1" make build-UsersApiFunction "${@:2}" )
  [ -x "$1/bootstrap" ] || { echo "FAIL: no executable bootstrap in ARTIFACTS_DIR" >&2; exit 1; }
  echo "bootstrap: $(du -sh "$1" | cut -f1) in ARTIFACTS_DIR, $(file -b "$1/bootstrap" 2>/dev/null | cut -d, -f1-2 || echo executable)"
}

echo "--- the templates (test/Users.Lambda.Tests: SamTemplateTests)"
dotnet build test/Users.Lambda.Tests -c Release --nologo -v quiet
run_classes Users.Lambda.Tests artifacts/test-results/sam-template SamTemplateTests=7

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
echo "--- sam build simulation: make build-UsersApiFunction in a copy of CodeUri"
mkdir -p "$scratch/src"
tar --exclude=.git --exclude=bin --exclude=obj --exclude=.aws-sam --exclude=artifacts --exclude=.local \
  --exclude=.terraform -cf - . | tar -C "$scratch/src" -xf -
sam_build "$scratch/artifacts" ${LAMBDA_PUBLISH:+LAMBDA_PUBLISH=$LAMBDA_PUBLISH}

echo "--- the API contract suite, every credential source and the sweep function's crash proof against this bootstrap"
dotnet build test/Users.Api.Tests -c Release --nologo -v quiet
LAMBDA_TEST_FUNCTION="$scratch/artifacts/bootstrap" run_classes Users.Api.Tests artifacts/test-results/sam-r2r \
  Contract.LambdaContractTests=45 Contract.LambdaRestContractTests=45 Hosting.LambdaHostTests=4 Hosting.LambdaMetricsTests=1 \
  Credentials.CredentialSourceTests=4 Sweep.LambdaCrashTests=2

if [ "${SKIP_NATIVE_AOT:-}" = 1 ]; then
  echo "--- Native AOT: left out (SKIP_NATIVE_AOT=1)"
  exit 0
fi
# Trimming must keep the STS and SSO clients the SDK loads by name; the image runs this same build (API_TEST_APP).
echo "--- Native AOT: the contract suite, every credential source and failure, the crash proofs (Lambda and Kestrel)"
sam_build "$scratch/artifacts-aot" LAMBDA_PUBLISH=aot
LAMBDA_TEST_FUNCTION="$scratch/artifacts-aot/bootstrap" API_TEST_APP="$scratch/artifacts-aot/bootstrap" run_classes Users.Api.Tests artifacts/test-results/sam-aot \
  Contract.LambdaContractTests=45 Contract.ProcessContractTests=46 Hosting.LambdaMetricsTests=1 \
  Credentials.CredentialSourceTests=4 Credentials.CredentialFailureTests=4 Credentials.AccessDeniedTests=1 \
  Sweep.LambdaCrashTests=2 Sweep.KestrelCrashTests=1
