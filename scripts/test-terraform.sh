#!/usr/bin/env bash
# Terraform checks (run by `make test` and CI; alone: `make tf-test`):
#   1. fmt -check, init, validate, `terraform test` (plan-mode, mock provider);
#   2. apply against a fresh moto_server on a free loopback port (state in a temp dir);
#   3. every security setting read back through the AWS API (aws CLI);
#   4. a second plan must be empty (-detailed-exitcode = 0);
#   5. API smoke: the app, configured from the Terraform outputs, creates and lists a user;
#   6. teardown: deletion_protection=false, destroy, nothing left.
# Everything it starts is stopped on exit (trap); nothing is written to the repo but
# terraform/.terraform.lock.hcl (git-ignored, see terraform/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in terraform moto_server aws curl jq python3 dotnet; do
  command -v "$tool" >/dev/null || { echo "test-terraform: '$tool' is required" >&2; exit 1; }
done

# shellcheck source=terraform/tools/cli-env.sh
source terraform/tools/cli-env.sh
# shellcheck source=scripts/lib/net.sh
source scripts/lib/net.sh

work=$(mktemp -d "${TMPDIR:-/tmp}/users-tf-test.XXXXXX")
moto_pid="" api_pid=""
cleanup() {
  local status=$?
  if [ -n "$api_pid" ]; then kill "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true; fi
  if [ -n "$moto_pid" ]; then kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true; fi
  if [ $status -ne 0 ]; then
    for log in moto.log api.log; do
      [ -s "$work/$log" ] && { echo "--- last lines of $log"; tail -n 30 "$work/$log"; }
    done
  fi
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tf_cli_env "$work"
export TF_DATA_DIR="$work/tf-data" # keeps terraform/.terraform untouched
tf() { terraform -chdir=terraform "$@"; }

checks=0
step() { echo "--- terraform: $*"; }
pass() { checks=$((checks + 1)); echo "ok - $*"; }
fail() { echo "not ok - $*" >&2; exit 1; }
# expect DESCRIPTION ACTUAL EXPECTED
expect() {
  if [ "$2" == "$3" ]; then pass "$1"; else fail "$1: expected '$3', got '$2'"; fi
}
# expect_json DESCRIPTION ACTUAL EXPECTED: equal as JSON (object key order ignored)
expect_json() {
  local actual expected
  actual=$(jq -cS . <<<"$2" 2>/dev/null) || fail "$1: not JSON: '$2'"
  expected=$(jq -cS . <<<"$3")
  expect "$1" "$actual" "$expected"
}

# --- 1. static checks and unit tests ------------------------------------------------
step "fmt -check"
tf fmt -check -recursive -diff || fail "terraform fmt: run 'terraform -chdir=terraform fmt -recursive'"
pass "terraform fmt"

step "init + validate"
tf init -input=false -no-color -reconfigure -backend-config="path=$work/terraform.tfstate" >"$work/init.log" \
  || { cat "$work/init.log"; fail "terraform init"; }
tf validate -no-color
pass "terraform validate"

step "terraform test (plan mode, mock provider)"
tf test -no-color
pass "terraform test"

# --- 2. apply against moto -----------------------------------------------------------
step "moto_server"
start_moto "$work/moto.log"
moto_pid=$MOTO_PID endpoint=$MOTO_ENDPOINT
echo "moto_server on $endpoint"

export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_PROFILE
awsl() { aws --endpoint-url "$endpoint" --output json "$@"; }

issuer="https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
vars=(-var "aws_endpoint_url=$endpoint" -var "oidc_issuer_url=$issuer")
# Delivery too (ECR, GitHub OIDC provider, deploy role, SAM artifact bucket). No eks_cluster_name: moto has no
# cluster to associate with, so the EKS statement and access entry stay off here (plan-mode tests cover them).
github_repository="acme/users-api"
vars+=(-var create_delivery=true -var "github_repository=$github_repository")

step "apply"
tf apply -auto-approve -input=false -no-color "${vars[@]}" >"$work/apply.log" \
  || { cat "$work/apply.log"; fail "terraform apply"; }
grep -E '^Apply complete' "$work/apply.log"
tf output -json >"$work/outputs.json"
out() { jq -er --arg k "$1" '.[$k].value' "$work/outputs.json"; }
table=$(out table_name) bucket=$(out bucket_name)
app_policy_arn=$(out app_policy_arn) oidc_provider_arn=$(out oidc_provider_arn)
expect "output table_name" "$table" "users"
expect "output bucket_name" "$bucket" "users-avatars"

# --- 3. what the AWS API reports ------------------------------------------------------
step "DynamoDB table"
awsl dynamodb describe-table --table-name "$table" >"$work/table.json"
expect_json "key schema: email (HASH) only" "$(jq -c '.Table.KeySchema' "$work/table.json")" '[{"AttributeName":"email","KeyType":"HASH"}]'
expect_json "attribute email is a string" "$(jq -c '.Table.AttributeDefinitions' "$work/table.json")" '[{"AttributeName":"email","AttributeType":"S"}]'
expect "billing mode" "$(jq -r '.Table.BillingModeSummary.BillingMode' "$work/table.json")" "PAY_PER_REQUEST"
expect "server-side encryption" "$(jq -r '.Table.SSEDescription | "\(.Status) \(.SSEType)"' "$work/table.json")" "ENABLED KMS"
expect "deletion protection" "$(jq -r '.Table.DeletionProtectionEnabled' "$work/table.json")" "true"
expect "point-in-time recovery" \
  "$(awsl dynamodb describe-continuous-backups --table-name "$table" | jq -r '.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus')" "ENABLED"

step "S3 bucket"
expect "public access block (4 flags)" \
  "$(awsl s3api get-public-access-block --bucket "$bucket" | jq -c '.PublicAccessBlockConfiguration | [.BlockPublicAcls, .IgnorePublicAcls, .BlockPublicPolicy, .RestrictPublicBuckets]')" \
  "[true,true,true,true]"
expect "object ownership" \
  "$(awsl s3api get-bucket-ownership-controls --bucket "$bucket" | jq -c '[.OwnershipControls.Rules[].ObjectOwnership]')" '["BucketOwnerEnforced"]'
expect "default encryption" \
  "$(awsl s3api get-bucket-encryption --bucket "$bucket" | jq -r '.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm')" "AES256"
expect "versioning" "$(awsl s3api get-bucket-versioning --bucket "$bucket" | jq -r '.Status')" "Enabled"
awsl s3api get-bucket-lifecycle-configuration --bucket "$bucket" >"$work/lifecycle.json"
expect "lifecycle: noncurrent versions expire" \
  "$(jq -c '[.Rules[] | select(.Status == "Enabled") | .NoncurrentVersionExpiration.NoncurrentDays // empty]' "$work/lifecycle.json")" "[30]"
expect "lifecycle: incomplete multipart uploads aborted" \
  "$(jq -c '[.Rules[] | select(.Status == "Enabled") | .AbortIncompleteMultipartUpload.DaysAfterInitiation // empty]' "$work/lifecycle.json")" "[7]"
awsl s3api get-bucket-policy --bucket "$bucket" | jq '.Policy | fromjson' >"$work/bucket-policy.json"
resources="[\"arn:aws:s3:::$bucket\",\"arn:aws:s3:::$bucket/*\"]"
expect "bucket policy denies non-TLS" \
  "$(jq -c '[.Statement[] | select(.Effect == "Deny" and .Principal == "*" and .Action == "s3:*" and .Condition.Bool["aws:SecureTransport"] == "false") | .Resource | sort]' "$work/bucket-policy.json")" \
  "[$resources]"
expect "bucket policy denies TLS < 1.2" \
  "$(jq -c '[.Statement[] | select(.Effect == "Deny" and .Principal == "*" and .Action == "s3:*" and .Condition.NumericLessThan["s3:TlsVersion"] == "1.2") | .Resource | sort]' "$work/bucket-policy.json")" \
  "[$resources]"
expect "bucket policy allows nothing" "$(jq '[.Statement[] | select(.Effect != "Deny")] | length' "$work/bucket-policy.json")" "0"

step "CloudWatch alarms and dashboard (observability)"
topic=$(out alarm_topic_arn)
awsl cloudwatch describe-alarms --alarm-name-prefix "$table-dynamodb-" >"$work/alarms.json"
expect "DynamoDB alarms: throttles (read, write) and system errors (PutItem, Scan)" \
  "$(jq -c '[.MetricAlarms[] | "\(.MetricName) \([.Dimensions[] | select(.Name == "Operation") | .Value] | join(""))"] | sort' "$work/alarms.json")" \
  '["ReadThrottleEvents ","SystemErrors PutItem","SystemErrors Scan","WriteThrottleEvents "]'
expect "every alarm notifies the topic on alarm and recovery" \
  "$(jq --arg t "$topic" '[.MetricAlarms[] | select(.AlarmActions == [$t] and .OKActions == [$t])] | length' "$work/alarms.json")" "4"
expect "alarm topic exists" "$(awsl sns get-topic-attributes --topic-arn "$topic" | jq -r '.Attributes.TopicArn')" "$topic"
expect "data stores dashboard" "$(awsl cloudwatch get-dashboard --dashboard-name "$table-data-stores" | jq '.DashboardBody | fromjson | .widgets | length')" "4"

step "IAM"
# The app policy: exactly these (action, resource) pairs, nothing else.
version=$(awsl iam get-policy --policy-arn "$app_policy_arn" | jq -r '.Policy.DefaultVersionId')
awsl iam get-policy-version --policy-arn "$app_policy_arn" --version-id "$version" |
  jq '.PolicyVersion.Document | if type == "string" then fromjson else . end' >"$work/app-policy.json"
expect "app policy grants exactly what the code uses" \
  "$(jq -c '[.Statement[] | select(.Effect == "Allow") | ([.Action] | flatten)[] as $a | ([.Resource] | flatten)[] as $r | "\($a) \($r)"] | sort' "$work/app-policy.json")" \
  "$(jq -cn --arg t "$(out table_arn)" --arg b "arn:aws:s3:::$bucket" '[
      "dynamodb:DescribeTable \($t)", "dynamodb:PutItem \($t)", "dynamodb:Scan \($t)",
      "s3:DeleteObject \($b)/avatars/*", "s3:GetObject \($b)/avatars/*", "s3:PutObject \($b)/avatars/*",
      "s3:ListBucket \($b)"] | sort')"
expect "app policy has no Deny/NotAction/NotResource" \
  "$(jq '[.Statement[] | select(.Effect != "Allow" or has("NotAction") or has("NotResource"))] | length' "$work/app-policy.json")" "0"

trust() { awsl iam get-role --role-name "$1" | jq -c '.Role.AssumeRolePolicyDocument | if type == "string" then fromjson else . end'; }
attached() { awsl iam list-attached-role-policies --role-name "$1" | jq -c '[.AttachedPolicies[].PolicyArn]'; }
role_name() { out "$1" | sed 's#.*:role/##'; }
host_path=${issuer#https://}

expect_json "OIDC provider from the issuer URL" \
  "$(awsl iam get-open-id-connect-provider --open-id-connect-provider-arn "$oidc_provider_arn" | jq -c '[(.Url | sub("^https://"; "")), .ClientIDList]')" \
  "$(jq -cn --arg u "$host_path" '[$u, ["sts.amazonaws.com"]]')"
irsa=$(role_name irsa_role_arn)
expect_json "IRSA trust: web identity, this service account, sts audience" \
  "$(trust "$irsa" | jq -c '[.Statement[] | {Effect, Principal, Action, Condition}]')" \
  "$(jq -cn --arg p "$oidc_provider_arn" --arg h "$host_path" '[{Effect: "Allow", Principal: {Federated: $p},
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {StringEquals: {"\($h):sub": "system:serviceaccount:users:users-api", "\($h):aud": "sts.amazonaws.com"}}}]')"
expect "IRSA role carries the app policy only" "$(attached "$irsa")" "[\"$app_policy_arn\"]"

pod=$(role_name pod_identity_role_arn)
expect_json "Pod Identity trust" \
  "$(trust "$pod" | jq -c '[.Statement[] | {Effect, Principal, Action: ([.Action] | flatten | sort)}]')" \
  '[{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}]'
expect "Pod Identity role carries the app policy only" "$(attached "$pod")" "[\"$app_policy_arn\"]"

lambda=$(role_name lambda_role_arn)
expect_json "Lambda trust" \
  "$(trust "$lambda" | jq -c '[.Statement[] | {Effect, Principal, Action}]')" \
  '[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]'
expect "Lambda role carries the app policy" "$(attached "$lambda")" "[\"$app_policy_arn\"]"
expect "Lambda role writes logs and traces only" \
  "$(awsl iam get-role-policy --role-name "$lambda" --policy-name logs-and-traces |
    jq -c '.PolicyDocument | if type == "string" then fromjson else . end | [.Statement[] | ([.Action] | flatten)[] as $a | "\($a) \(.Resource)"] | sort')" \
  '["logs:CreateLogGroup arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/*","logs:CreateLogStream arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/*:log-stream:*","logs:PutLogEvents arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/*:log-stream:*","xray:PutTelemetryRecords *","xray:PutTraceSegments *"]'

expect "sam_parameter_overrides" "$(out sam_parameter_overrides)" \
  "UsersTableName=$table AvatarsBucketName=$bucket LambdaRoleArn=$(out lambda_role_arn)"
expect "helm_set_flags" "$(out helm_set_flags)" \
  "--set serviceAccount.roleArn=$(out irsa_role_arn) --set config.usersTableName=$table --set config.avatarsBucketName=$bucket --set config.awsRegion=us-east-1"

step "delivery: ECR repository"
awsl ecr describe-repositories --repository-names users-api >"$work/ecr.json"
expect "ECR: immutable tags, scan on push, KMS encryption" \
  "$(jq -c '.repositories[0] | [.imageTagMutability, .imageScanningConfiguration.scanOnPush, .encryptionConfiguration.encryptionType]' "$work/ecr.json")" \
  '["IMMUTABLE",true,"KMS"]'
expect "output ecr_repository_url" "$(out ecr_repository_url)" "$(jq -r '.repositories[0].repositoryUri' "$work/ecr.json")"
expect_json "ECR lifecycle: untagged expire after 14 days, last 50 v* images kept" \
  "$(awsl ecr get-lifecycle-policy --repository-name users-api | jq -c '.lifecyclePolicyText | fromjson | [.rules[] | [.selection.tagStatus, (.selection.tagPrefixList // []), .selection.countType, .selection.countNumber, .action.type]]')" \
  '[["untagged",[],"sinceImagePushed",14,"expire"],["tagged",["v"],"imageCountMoreThan",50,"expire"]]'

step "delivery: GitHub OIDC and the deploy role"
github_provider="arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
expect_json "GitHub OIDC provider" \
  "$(awsl iam get-open-id-connect-provider --open-id-connect-provider-arn "$github_provider" | jq -c '[(.Url | sub("^https://"; "")), .ClientIDList]')" \
  '["token.actions.githubusercontent.com",["sts.amazonaws.com"]]'
deploy=$(role_name deploy_role_arn)
expect_json "deploy trust: GitHub OIDC, aud sts.amazonaws.com, sub = this repository's production environment" \
  "$(trust "$deploy" | jq -c '[.Statement[] | {Effect, Principal, Action, Condition}]')" \
  "$(jq -cn --arg p "$github_provider" --arg r "$github_repository" '[{Effect: "Allow", Principal: {Federated: $p},
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {StringEquals: {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": "repo:\($r):environment:production"}}}]')"
deploy_policy_arn=$(jq -r '.[0]' <<<"$(attached "$deploy")")
expect "deploy role carries its own policy only" "$(attached "$deploy")" "[\"$deploy_policy_arn\"]"
version=$(awsl iam get-policy --policy-arn "$deploy_policy_arn" | jq -r '.Policy.DefaultVersionId')
awsl iam get-policy-version --policy-arn "$deploy_policy_arn" --version-id "$version" |
  jq '.PolicyVersion.Document | if type == "string" then fromjson else . end' >"$work/deploy-policy.json"
pairs() { jq -c --arg sid "$1" '[.Statement[] | select(.Sid == $sid) | ([.Action] | flatten)[] as $a | ([.Resource] | flatten)[] as $r | "\($a) \($r)"] | sort' "$work/deploy-policy.json"; }
expect "deploy policy: * only for the ECR login token" \
  "$(jq -c '[.Statement[] | select(([.Resource] | flatten | index("*")) != null) | .Action]' "$work/deploy-policy.json")" '["ecr:GetAuthorizationToken"]'
expect "deploy policy: ECR push on this repository only" \
  "$(jq -c '[.Statement[] | select(.Sid == "EcrPushThisRepository") | .Resource]' "$work/deploy-policy.json")" \
  "[\"$(jq -r '.repositories[0].repositoryArn' "$work/ecr.json")\"]"
expect "deploy policy: CloudFormation on the users-api stack only" \
  "$(jq -c '[.Statement[] | select(.Sid == "SamStack") | .Resource]' "$work/deploy-policy.json")" \
  '["arn:aws:cloudformation:us-east-1:123456789012:stack/users-api/*"]'
expect "deploy policy: PassRole for the Lambda role, to Lambda only" \
  "$(jq -c '[.Statement[] | select(.Action == "iam:PassRole") | [.Resource, .Condition.StringEquals["iam:PassedToService"]]]' "$work/deploy-policy.json")" \
  "[[\"$(out lambda_role_arn)\",\"lambda.amazonaws.com\"]]"
artifacts=$(out sam_artifact_bucket)
expect "SAM artifact bucket name" "$artifacts" "users-api-sam-artifacts-123456789012-us-east-1"
expect "deploy policy: the artifact bucket's objects" "$(pairs SamArtifactsObjects)" \
  "[\"s3:GetObject arn:aws:s3:::$artifacts/*\",\"s3:PutObject arn:aws:s3:::$artifacts/*\"]"
expect "deploy policy: no EKS statement without a cluster" "$(jq '[.Statement[] | select(.Sid == "EksDescribeThisCluster")] | length' "$work/deploy-policy.json")" "0"
expect "SAM artifact bucket: public access blocked" \
  "$(awsl s3api get-public-access-block --bucket "$artifacts" | jq -c '.PublicAccessBlockConfiguration | [.BlockPublicAcls, .IgnorePublicAcls, .BlockPublicPolicy, .RestrictPublicBuckets]')" \
  "[true,true,true,true]"
expect "SAM artifact bucket: packages expire" \
  "$(awsl s3api get-bucket-lifecycle-configuration --bucket "$artifacts" | jq -c '[.Rules[] | select(.Status == "Enabled") | .Expiration.Days]')" "[90]"
expect "github_actions_variables names what release.yml reads" \
  "$(tf output -json github_actions_variables | jq -c 'keys')" \
  '["AWS_DEPLOY_ROLE_ARN","AWS_REGION","ECR_REPOSITORY_URL","HELM_SET_FLAGS","K8S_NAMESPACE","SAM_ARTIFACT_BUCKET","SAM_PARAMETER_OVERRIDES","SAM_STACK_NAME"]'
# Every vars.NAME the release workflow reads is one of them (EKS_CLUSTER_NAME comes with a cluster).
expect "release.yml reads only these variables" \
  "$(grep -oE 'vars\.[A-Z0-9_]+' .github/workflows/release.yml | sed 's/^vars\.//' | sort -u | jq -Rsc 'split("\n") | map(select(. != ""))')" \
  '["AWS_DEPLOY_ROLE_ARN","AWS_REGION","ECR_REPOSITORY_URL","EKS_CLUSTER_NAME","HELM_SET_FLAGS","K8S_NAMESPACE","SAM_ARTIFACT_BUCKET","SAM_PARAMETER_OVERRIDES","SAM_STACK_NAME"]'

# --- 4. idempotence -----------------------------------------------------------------
step "plan -detailed-exitcode after apply"
set +e
tf plan -detailed-exitcode -input=false -no-color "${vars[@]}" >"$work/plan.log" 2>&1
plan_status=$?
set -e
[ $plan_status -eq 0 ] || { cat "$work/plan.log"; fail "second plan is not empty (exit $plan_status)"; }
pass "second plan is empty"

step "example tfvars plan (endpoint overridden to moto)"
for example in terraform/examples/*.tfvars; do
  set +e
  tf plan -input=false -no-color -lock=false -refresh=false -detailed-exitcode \
    -var-file="examples/${example##*/}" -var "aws_endpoint_url=$endpoint" >"$work/example.log" 2>&1
  example_status=$?
  set -e
  [ $example_status -ne 1 ] || { cat "$work/example.log"; fail "plan with $example"; }
  pass "plan with $example"
done

# --- 5. API smoke against the Terraform-made table and bucket ------------------------
# moto evaluates the bucket policy's TLS Deny statements as matching every request (it
# supplies no condition keys), and this endpoint is plain HTTP anyway: drop them, as
# scripts/provision-local.sh does for `make run`.
step "plain-HTTP emulator mode (deny_insecure_transport=false)"
tf apply -auto-approve -input=false -no-color "${vars[@]}" -var deny_insecure_transport=false >"$work/http-mode.log" \
  || { cat "$work/http-mode.log"; fail "apply -var deny_insecure_transport=false"; }
expect "only the bucket policies changed (avatars, SAM artifacts)" "$(grep -E '^Apply complete' "$work/http-mode.log")" \
  "Apply complete! Resources: 0 added, 0 changed, 2 destroyed."
if awsl s3api get-bucket-policy --bucket "$bucket" >/dev/null 2>&1; then fail "bucket policy still present"; fi
pass "no bucket policy in plain-HTTP emulator mode"
vars+=(-var deny_insecure_transport=false)

step "API smoke"
# Incremental after `make test`'s own build; the output goes to the temp dir.
dotnet build src/Users.Functions -c Release --nologo -v quiet -o "$work/api" >"$work/build.log" \
  || { cat "$work/build.log"; fail "dotnet build"; }
dll="$work/api/Users.Functions.dll"
[ -f "$dll" ] || fail "Users.Functions.dll not found after the build"
api_port=$(free_port)
api="http://127.0.0.1:$api_port"
# The dll itself (not `dotnet run`, whose child would outlive a kill).
env ASPNETCORE_URLS="$api" AWS_ENDPOINT_URL="$endpoint" \
  USERS_TABLE_NAME="$table" AVATARS_BUCKET_NAME="$bucket" AWS_REGION="$(out aws_region)" \
  dotnet "$dll" >"$work/api.log" 2>&1 &
api_pid=$!
wait_http "$api/health/live" 60
# Ready within 30 s: a fresh process's first DynamoDB/S3 calls can outlast the probe's 2 s on a loaded machine.
wait_http "$api/health/ready" 30 200 || fail "GET /health/ready never answered 200 (table and bucket not reachable)"
pass "GET /health/ready (table and bucket reachable)"

# The README's sample avatar: the walkthrough's upload is the one this smoke makes.
cp docs/examples/avatar.png "$work/avatar.png"
email="tf-smoke-$$@example.com"
status=$(curl -s -o "$work/created.json" -w '%{http_code}' -F "name=Terraform Smoke" -F "email=$email" \
  -F "avatar=@$work/avatar.png;type=image/png" "$api/user")
[ "$status" == "201" ] || { cat "$work/created.json"; fail "POST /user returned $status"; }
pass "POST /user -> 201"
expect "GET /users lists the user" \
  "$(curl -sf "$api/users" | jq -r --arg e "$email" '[.[] | select(.email == $e and .name == "Terraform Smoke" and (.avatar_url | length) > 0)] | length')" "1"
expect "the item is in the Terraform-made table" \
  "$(awsl dynamodb get-item --table-name "$table" --key "{\"email\":{\"S\":\"$email\"}}" | jq -r '.Item != null')" "true"
expect "the avatar is under avatars/ in the Terraform-made bucket" \
  "$(awsl s3api list-objects-v2 --bucket "$bucket" --prefix avatars/ | jq '[.Contents[]? | select(.Key | endswith(".png"))] | length')" "1"
kill "$api_pid"; wait "$api_pid" 2>/dev/null || true; api_pid=""

# --- 6. teardown ----------------------------------------------------------------------
step "teardown (deletion_protection=false, destroy)"
tf apply -auto-approve -input=false -no-color "${vars[@]}" -var deletion_protection=false >"$work/unprotect.log" \
  || { cat "$work/unprotect.log"; fail "apply -var deletion_protection=false"; }
expect "deletion protection off" "$(awsl dynamodb describe-table --table-name "$table" | jq -r '.Table.DeletionProtectionEnabled')" "false"
tf destroy -auto-approve -input=false -no-color "${vars[@]}" -var deletion_protection=false >"$work/destroy.log" \
  || { cat "$work/destroy.log"; fail "terraform destroy"; }
grep -E '^Destroy complete' "$work/destroy.log"
expect "no table left" "$(awsl dynamodb list-tables | jq -c '.TableNames')" "[]"
expect "no bucket left" "$(awsl s3api list-buckets | jq -c '[.Buckets[]?.Name]')" "[]"
expect "no role left" "$(awsl iam list-roles | jq -c '[.Roles[].RoleName | select(startswith("users-api-"))]')" "[]"
expect "no repository left" "$(awsl ecr describe-repositories | jq -c '[.repositories[].repositoryName]')" "[]"

echo "terraform: $checks passed, 0 failed"
