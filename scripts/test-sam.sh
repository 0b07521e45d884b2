#!/usr/bin/env bash
# SAM checks: cfn-lint on template.yaml (HTTP API) and template-rest.yaml (REST API), which must share their parameters
# and function settings; then what `sam build` does with a makefile build: copy CodeUri (the repository root, without
# bin/obj/.git) to a scratch folder, run `make build-UsersApiFunction` there with ARTIFACTS_DIR set, and check the
# bootstrap it leaves: an executable that serves the whole API contract through the Lambda emulator, behind its
# HTTP API front (payload 2.0) and its REST API front (payload 1.0), gets its AWS credentials from every source
# of the SDK's default chain without static keys (test/Users.Api.Tests/Credentials), and, as the sweep function
# (handler sweep), removes what a killed bootstrap leaked (test/Users.Api.Tests/Sweep).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

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
# The sweep function is the same artifact: its sam build target is the API function's.
if ! diff <(make -n build-UsersApiFunction ARTIFACTS_DIR=/x) <(make -n build-UsersSweepFunction ARTIFACTS_DIR=/x); then
  echo "FAIL: make build-UsersSweepFunction does not publish the same bootstrap as build-UsersApiFunction" >&2
  exit 1
fi
echo "UsersSweepFunction: the same bootstrap (make build-UsersSweepFunction = build-UsersApiFunction), handler sweep"

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
echo "    every credential source without static keys (IRSA, Pod Identity, assume-role and SSO profiles), and the crash"
echo "    proof with this bootstrap as the sweep function (handler sweep, a scheduled event)"
dotnet build test/Users.Api.Tests -c Release --nologo -v quiet
LAMBDA_TEST_FUNCTION="$scratch/artifacts/bootstrap" dotnet test test/Users.Api.Tests -c Release --no-build \
  --filter "FullyQualifiedName~Users.Api.Tests.Contract.LambdaContractTests|FullyQualifiedName~Users.Api.Tests.Contract.LambdaRestContractTests|FullyQualifiedName~Users.Api.Tests.Hosting.LambdaHostTests|FullyQualifiedName~Users.Api.Tests.Hosting.LambdaMetricsTests|FullyQualifiedName~Users.Api.Tests.Credentials.CredentialSourceTests|FullyQualifiedName~Users.Api.Tests.Sweep.LambdaCrashTests" \
  --logger "console;verbosity=minimal"

# Native AOT: the same contract against an AOT bootstrap, where a C toolchain exists to link it.
if command -v clang >/dev/null || command -v gcc >/dev/null; then
  echo "--- Native AOT: make build-UsersApiFunction LAMBDA_PUBLISH=aot, then the contract suite and every credential"
  echo "    source and failure (trimming must keep the STS and SSO clients the SDK loads by name), on the Lambda path"
  echo "    and, as the container image runs the same native build, on Kestrel as its own process (API_TEST_APP)"
  rm -rf "$scratch/artifacts-aot"
  ( cd "$scratch/src" && ARTIFACTS_DIR="$scratch/artifacts-aot" make build-UsersApiFunction LAMBDA_PUBLISH=aot )
  LAMBDA_TEST_FUNCTION="$scratch/artifacts-aot/bootstrap" API_TEST_APP="$scratch/artifacts-aot/bootstrap" \
    dotnet test test/Users.Api.Tests -c Release --no-build \
    --filter "FullyQualifiedName~Users.Api.Tests.Contract.LambdaContractTests|FullyQualifiedName~Users.Api.Tests.Contract.ProcessContractTests|FullyQualifiedName~Users.Api.Tests.Hosting.LambdaMetricsTests|FullyQualifiedName~Users.Api.Tests.Credentials|FullyQualifiedName~Users.Api.Tests.Sweep.LambdaCrashTests|FullyQualifiedName~Users.Api.Tests.Sweep.KestrelCrashTests" \
    --logger "console;verbosity=minimal"
else
  echo "--- Native AOT: skipped (no clang or gcc to link it)"
fi
