#!/usr/bin/env bash
# Terraform checks (run by `make test` and CI; alone: `make tf-test`). A launcher only; the checks live in test runners:
#   1. fmt -check, init, validate, `terraform test` (terraform/tests: plan mode, mock provider);
#   2. test/Users.Terraform.Tests (xUnit): the configuration applied once to a moto_server of its own, every setting
#      read back through the AWS APIs, a second plan empty, the example tfvars, the app (Kestrel process and Lambda
#      function) run on the result behind a recording proxy with every request it sends evaluated against the roles
#      Terraform made (tools/iam-simulate), the deploy role against `sam deploy`, the trust policies, then destroy.
# Results: artifacts/test-results/Users.Terraform.Tests.trx. Nothing is written to the repository but
# terraform/.terraform.lock.hcl (git-ignored, see terraform/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in terraform moto_server aws node python3 dotnet jq; do
  command -v "$tool" >/dev/null || { echo "test-terraform: '$tool' is required" >&2; exit 1; }
done
[ -d tools/iam-simulate/node_modules/@cloud-copilot/iam-simulate ] || { echo "test-terraform: the IAM evaluator is not installed: run scripts/ci-setup.sh" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/users-tf-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
# shellcheck source=terraform/tools/cli-env.sh
source terraform/tools/cli-env.sh
tf_cli_env "$work"
export TF_DATA_DIR="$work/tf-data" # keeps terraform/.terraform untouched
tf() { terraform -chdir=terraform "$@"; }

echo "--- terraform: fmt -check, init, validate"
tf fmt -check -recursive -diff || { echo "terraform fmt: run 'terraform -chdir=terraform fmt -recursive'" >&2; exit 1; }
tf init -input=false -no-color -reconfigure -backend-config="path=$work/terraform.tfstate" >"$work/init.log" || { cat "$work/init.log"; exit 1; }
tf validate -no-color

results=artifacts/test-results
mkdir -p "$results"
echo "--- terraform: terraform test (plan mode, mock provider) -> $results/terraform-test.jsonl"
# -json so that make test counts its runs from the file (tools/Users.ResultCheck); the console gets each run's
# message, and every diagnostic of a failing one.
status=0
tf test -no-color -json >"$results/terraform-test.jsonl" || status=$?
jq -r 'select(.type == "test_run" or .type == "test_summary" or .type == "diagnostic") | .["@message"]' \
  "$results/terraform-test.jsonl"
[ "$status" -eq 0 ] || { echo "terraform test failed (exit $status)" >&2; exit "$status"; }

echo "--- terraform: applied on moto, read back, every role evaluated (test/Users.Terraform.Tests)"
dotnet test test/Users.Terraform.Tests -c Release --nologo --logger "console;verbosity=normal" \
  --logger "trx;LogFileName=Users.Terraform.Tests.trx" --results-directory "$results" "$@"
