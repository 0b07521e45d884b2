#!/usr/bin/env bash
# Creates (or updates) the local table and bucket through the Terraform in terraform/, against
# an AWS emulator (LocalStack, moto). Used by `make run` (scripts/run-local.sh): one source of truth.
#
# Usage: scripts/provision-local.sh ENDPOINT_URL      e.g. http://127.0.0.1:4566
# Env:   USERS_TABLE_NAME (users), AVATARS_BUCKET_NAME (users-avatars), AWS_REGION (us-east-1)
#
# State lives in .local/terraform/ (git-ignored). Idempotent: a second run changes nothing.
# PROVISION_FRESH=1 says the emulator was just started empty: the state of an earlier run is dropped instead of
# refreshed (`make run` and `make lambda-local` set it when they start the emulator themselves).
# With PROVISION_FRESH=1 the AWS CLI creates the table and bucket first and Terraform imports them (PROVISION_FAST=0: not).
# Local settings: deletion protection off (so teardown works), no Pod Identity / Lambda roles
# (the app runs with the emulator's dummy credentials), and on a plain-HTTP endpoint no TLS-only
# bucket policy (see terraform/README.md). Without terraform on PATH it falls back to the AWS CLI
# (table and bucket only); PROVISION_WITH=aws-cli asks for that explicitly (the image smoke and the benchmark,
# which need a table and bucket in seconds, not the whole hardened set).
set -euo pipefail
endpoint=${1:?usage: provision-local.sh ENDPOINT_URL (e.g. http://127.0.0.1:4566)}
cd "$(dirname "$0")/.."

table=${USERS_TABLE_NAME:-users}
bucket=${AVATARS_BUCKET_NAME:-users-avatars}
region=${AWS_REGION:-us-east-1}
# Emulators accept any credentials; never send real ones there.
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION="$region" AWS_DEFAULT_REGION="$region"
unset AWS_SESSION_TOKEN AWS_PROFILE
aws_local() { aws --endpoint-url "$endpoint" "$@"; }

with=${PROVISION_WITH:-$(command -v terraform >/dev/null && echo terraform || echo aws-cli)}
if [ "$with" = aws-cli ]; then
  command -v terraform >/dev/null || echo "terraform not found: creating table '$table' and bucket '$bucket' with the AWS CLI instead" >&2
  if ! aws_local dynamodb describe-table --table-name "$table" >/dev/null 2>&1; then
    aws_local dynamodb create-table --table-name "$table" \
      --attribute-definitions AttributeName=email,AttributeType=S \
      --key-schema AttributeName=email,KeyType=HASH --billing-mode PAY_PER_REQUEST >/dev/null
    echo "created table $table"
  fi
  if ! aws_local s3api head-bucket --bucket "$bucket" >/dev/null 2>&1; then
    aws_local s3api create-bucket --bucket "$bucket" >/dev/null
    echo "created bucket $bucket"
  fi
  exit 0
fi

state_dir="$PWD/.local/terraform"
mkdir -p "$state_dir"
# shellcheck source=terraform/tools/cli-env.sh
source terraform/tools/cli-env.sh
tf_cli_env "$state_dir"
export TF_DATA_DIR="$state_dir/data"
tf() { terraform -chdir=terraform "$@"; }

vars=(
  -var "aws_endpoint_url=$endpoint"
  -var "aws_region=$region"
  -var "table_name=$table"
  -var "bucket_name=$bucket"
  -var deletion_protection=false
  -var create_pod_identity_role=false
  -var create_lambda_role=false
)
case $endpoint in
  http://*) vars+=(-var deny_insecure_transport=false) ;;
esac

run_logged() { # log-file command...: quiet unless it fails
  local log=$1
  shift
  "$@" >"$log" 2>&1 || { cat "$log" >&2; return 1; }
}

if [ "${PROVISION_FRESH:-0}" = 1 ]; then
  rm -f "$state_dir/terraform.tfstate" "$state_dir/terraform.tfstate.backup"
fi

# `init` again only when a Terraform file changed since the last one (it costs seconds on every `make run`).
init_stamp="$TF_DATA_DIR/.initialised"
if [ ! -f "$init_stamp" ] || [ -n "$(find terraform -name '*.tf' -newer "$init_stamp" -print -quit)" ]; then
  run_logged "$state_dir/init.log" \
    tf init -input=false -no-color -reconfigure -backend-config="path=$state_dir/terraform.tfstate"
  touch "$init_stamp"
fi

# What exists in the emulator but not in the state is adopted by the one apply below, through import blocks
# ("address id" pairs) in a local overlay of terraform/: no separate `terraform import` runs, each of which would
# load the AWS provider again.
imports=()
if [ "${PROVISION_FRESH:-0}" = 1 ] && [ "${PROVISION_FAST:-1}" = 1 ] && command -v aws >/dev/null; then
  # A just-started, empty emulator: create the table and the bucket at once with the AWS CLI (the key schema,
  # billing mode and encryption of terraform/modules/data-stores), so the API can serve within seconds instead of
  # after the AWS provider has loaded (≈10–20 s); the apply then adopts them and sets everything else production
  # has. `make run` reports when that is done, and stops if it fails. PROVISION_FAST=0 leaves it all to Terraform.
  aws_local dynamodb create-table --table-name "$table" \
    --attribute-definitions AttributeName=email,AttributeType=S --key-schema AttributeName=email,KeyType=HASH \
    --billing-mode PAY_PER_REQUEST --sse-specification Enabled=true,SSEType=KMS >/dev/null &
  create_table=$!
  aws_local s3api create-bucket --bucket "$bucket" >/dev/null &
  create_bucket=$!
  wait "$create_table" || { echo "creating table $table with the AWS CLI failed" >&2; exit 1; }
  wait "$create_bucket" || { echo "creating bucket $bucket with the AWS CLI failed" >&2; exit 1; }
  echo "created table $table and bucket $bucket; Terraform imports them and applies the rest"
  imports+=("module.data_stores.aws_dynamodb_table.users $table" "module.data_stores.aws_s3_bucket.avatars $bucket")
elif [ "${PROVISION_FRESH:-0}" != 1 ] && command -v aws >/dev/null; then
  # State lost (e.g. `make clean`) but the emulator kept its data: adopt what already exists instead of failing on
  # "already exists".
  in_state=$(tf state list 2>/dev/null || true)
  adopt() { # address id
    grep -qxF "$1" <<<"$in_state" && return 0
    imports+=("$1 $2")
    echo "adopting existing $1 ($2)"
  }
  if aws_local dynamodb describe-table --table-name "$table" >/dev/null 2>&1; then
    adopt module.data_stores.aws_dynamodb_table.users "$table"
  fi
  if aws_local s3api head-bucket --bucket "$bucket" >/dev/null 2>&1; then
    adopt module.data_stores.aws_s3_bucket.avatars "$bucket"
  fi
  account=$(aws_local sts get-caller-identity --query Account --output text 2>/dev/null || true)
  policy_arn="arn:aws:iam::$account:policy/users-api-app"
  if [ -n "$account" ] && aws_local iam get-policy --policy-arn "$policy_arn" >/dev/null 2>&1; then
    adopt module.workload_iam.aws_iam_policy.app "$policy_arn"
  fi
fi

root=terraform
rm -rf "$state_dir/root"
if [ ${#imports[@]} -gt 0 ]; then
  root="$state_dir/root"
  mkdir -p "$root"
  for file in terraform/*.tf terraform/.terraform.lock.hcl; do ln -s "$PWD/$file" "$root/"; done
  ln -s "$PWD/terraform/modules" "$root/modules"
  echo "# Written by scripts/provision-local.sh for this run only: adopt what the emulator already has." >"$root/local_imports.tf"
  for pair in "${imports[@]}"; do
    printf '\nimport {\n  to = %s\n  id = "%s"\n}\n' "${pair%% *}" "${pair#* }" >>"$root/local_imports.tf"
  done
fi

run_logged "$state_dir/apply.log" terraform -chdir="$root" apply -auto-approve -input=false -no-color "${vars[@]}"
grep -E '^Apply complete' "$state_dir/apply.log"
