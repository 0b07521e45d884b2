#!/usr/bin/env bash
# Creates the local table and bucket when missing, against the given endpoint (LocalStack, moto).
# Usage: scripts/provision-local.sh http://127.0.0.1:4566
set -euo pipefail
endpoint=${1:?usage: provision-local.sh ENDPOINT_URL}
table=${USERS_TABLE_NAME:-users}
bucket=${AVATARS_BUCKET_NAME:-users-avatars}
export AWS_REGION=${AWS_REGION:-us-east-1} AWS_DEFAULT_REGION=${AWS_REGION:-us-east-1}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
aws=(aws --endpoint-url "$endpoint")

if ! "${aws[@]}" dynamodb describe-table --table-name "$table" >/dev/null 2>&1; then
  "${aws[@]}" dynamodb create-table --table-name "$table" \
    --attribute-definitions AttributeName=email,AttributeType=S \
    --key-schema AttributeName=email,KeyType=HASH --billing-mode PAY_PER_REQUEST >/dev/null
  echo "created table $table"
fi
if ! "${aws[@]}" s3api head-bucket --bucket "$bucket" >/dev/null 2>&1; then
  "${aws[@]}" s3api create-bucket --bucket "$bucket" >/dev/null
  echo "created bucket $bucket"
fi
