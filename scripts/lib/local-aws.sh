# shellcheck shell=bash
# Sourced by scripts/run-local.sh (`make run`) and scripts/lambda-local.sh (`make lambda-local`): one local AWS for both.
#  - AWS_ENDPOINT_URL unset: starts an emulator on 127.0.0.1:${EMULATOR_PORT:-4566} (LocalStack when a Docker engine
#    answers, else moto_server), or reuses whatever already listens there; stopped on exit (Ctrl-C).
#  - AWS_ENDPOINT_URL set: uses that endpoint and starts nothing.
# Then provisions the table and bucket (scripts/provision-local.sh: the production Terraform; on an emulator started
# here, the AWS CLI creates both first and Terraform imports them) in the background, so the caller can build meanwhile; `wait_data_stores` returns once the table and the bucket exist (the API can
# serve), and `wait_provisioned_or` reports when the rest (the bucket's lifecycle rules take the AWS provider about
# a minute to confirm) has been applied, or stops everything if provisioning fails.

export AWS_REGION=${AWS_REGION:-us-east-1}
export USERS_TABLE_NAME=${USERS_TABLE_NAME:-users}
export AVATARS_BUCKET_NAME=${AVATARS_BUCKET_NAME:-users-avatars}
EMULATOR_PORT=${EMULATOR_PORT:-4566}
PROVISION_LOG=.local/provision.log

# What this shell started: "pid:N", "tree:N" (N and its children) or "container:NAME"; all stopped by the EXIT trap.
started=()
# What ensure_local_aws started, if anything: its data lives in memory only.
LOCAL_EMULATOR_STARTED=
stop_started() {
  for item in "${started[@]}"; do
    case $item in
      pid:*) kill "${item#pid:}" 2>/dev/null || true ;;
      tree:*) pkill -TERM -P "${item#tree:}" 2>/dev/null || true; kill "${item#tree:}" 2>/dev/null || true ;;
      container:*) docker rm -f "${item#container:}" >/dev/null 2>&1 || true ;;
    esac
  done
  for item in "${started[@]}"; do
    case $item in pid:* | tree:*) wait "${item#*:}" 2>/dev/null || true ;; esac
  done
}
trap stop_started EXIT
trap 'exit 130' INT TERM

# shellcheck source=scripts/lib/net.sh
source scripts/lib/net.sh

# say_where_data_lives: an emulator this script started keeps its data in memory only.
say_where_data_lives() {
  [ -z "$LOCAL_EMULATOR_STARTED" ] || echo "    data lives in the emulator's memory ($LOCAL_EMULATOR_STARTED): it is gone when this stops"
}

# up_to_date FILE: true when no source, project or props file is newer than FILE (a build's output). bin/ and obj/ are
# build output, not sources: another build of the same project (make lambda-local's, make run's) does not make it stale.
up_to_date() {
  [ -f "$1" ] && [ -z "$(find src Directory.Build.props Directory.Build.targets Directory.Packages.props global.json \
    \( -name bin -o -name obj \) -prune -o -newer "$1" -type f -print -quit)" ]
}

# port_free_or_exit PORT WHAT: a clear message instead of a bind failure after the build.
port_free_or_exit() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
    echo "Port $1 ($2) is already in use on 127.0.0.1: stop what listens there, or choose another port ($3)." >&2
    exit 1
  fi
}

# ensure_local_aws: the emulator (started or reused), then provisioning started in the background (PROVISION_PID).
ensure_local_aws() {
  local fresh=0
  mkdir -p .local
  if [ -n "${AWS_ENDPOINT_URL:-}" ]; then
    echo "==> using AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL"
  else
    export AWS_ENDPOINT_URL="http://127.0.0.1:${EMULATOR_PORT}"
    # Local emulators accept any credentials; keep real ones out of it.
    export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
    unset AWS_SESSION_TOKEN AWS_PROFILE
    if curl -s -o /dev/null "$AWS_ENDPOINT_URL"; then
      echo "==> something already listens on $AWS_ENDPOINT_URL: using it"
    elif docker info >/dev/null 2>&1; then
      echo "==> starting LocalStack on $AWS_ENDPOINT_URL"
      docker run -d --rm --name users-api-localstack -p "127.0.0.1:${EMULATOR_PORT}:4566" \
        -e SERVICES=dynamodb,s3,iam,sts localstack/localstack:3 >/dev/null
      started+=("container:users-api-localstack")
      wait_http "$AWS_ENDPOINT_URL/_localstack/health" 90 200
      fresh=1
      LOCAL_EMULATOR_STARTED=LocalStack
    elif command -v moto_server >/dev/null; then
      echo "==> starting moto_server on $AWS_ENDPOINT_URL"
      start_moto .local/moto.log "$EMULATOR_PORT"
      started+=("pid:$MOTO_PID")
      fresh=1
      LOCAL_EMULATOR_STARTED=moto_server
    else
      echo "No local AWS emulator: install Docker (LocalStack) or moto (pip install 'moto[server]'), or set AWS_ENDPOINT_URL." >&2
      exit 1
    fi
  fi

  echo "==> provisioning table '$USERS_TABLE_NAME' and bucket '$AVATARS_BUCKET_NAME' in the background (log: $PROVISION_LOG)"
  # An emulator this script just started is empty: any Terraform state from an earlier run describes nothing.
  PROVISION_FRESH=$fresh bash scripts/provision-local.sh "$AWS_ENDPOINT_URL" >"$PROVISION_LOG" 2>&1 &
  PROVISION_PID=$!
  started+=("tree:$PROVISION_PID")
}

# provisioning_failed: prints the log and exits (the EXIT trap stops what was started).
provisioning_failed() {
  cat "$PROVISION_LOG" >&2
  echo "Provisioning the table and bucket failed (log above, also in $PROVISION_LOG)." >&2
  exit 1
}

# data_stores_exist: true when the table and the bucket both answer.
data_stores_exist() {
  AWS_PAGER='' aws --endpoint-url "$AWS_ENDPOINT_URL" --region "$AWS_REGION" dynamodb describe-table --table-name "$USERS_TABLE_NAME" >/dev/null 2>&1 &&
    AWS_PAGER='' aws --endpoint-url "$AWS_ENDPOINT_URL" --region "$AWS_REGION" s3api head-bucket --bucket "$AVATARS_BUCKET_NAME" >/dev/null 2>&1
}

# wait_data_stores: returns once the table and the bucket exist (provisioning may still be applying their settings).
wait_data_stores() {
  local deadline=$((SECONDS + 180))
  if ! command -v aws >/dev/null; then
    # Without the AWS CLI nothing can look: wait for provisioning as a whole.
    wait "$PROVISION_PID" || provisioning_failed
    PROVISION_PID=
    return 0
  fi
  until data_stores_exist; do
    if ! kill -0 "$PROVISION_PID" 2>/dev/null; then
      wait "$PROVISION_PID" || provisioning_failed
      PROVISION_PID=
      if ! data_stores_exist; then
        echo "Provisioning finished but table '$USERS_TABLE_NAME' or bucket '$AVATARS_BUCKET_NAME' does not answer (log: $PROVISION_LOG)." >&2
        exit 1
      fi
      return 0
    fi
    if [ $SECONDS -ge $deadline ]; then
      echo "Table '$USERS_TABLE_NAME' and bucket '$AVATARS_BUCKET_NAME' still missing after 180 s (log: $PROVISION_LOG)." >&2
      exit 1
    fi
    sleep 0.5
  done
}

# serve_until_exit PID...: waits until one of the server PIDs exits (its status ends the script; the EXIT trap stops
# the others); meanwhile reports the end of provisioning, and stops everything if provisioning fails (the local table
# and bucket would not have production's settings).
serve_until_exit() {
  local rc=0 server
  if [ -n "${PROVISION_PID:-}" ]; then
    wait -n "$@" "$PROVISION_PID" || rc=$?
    for server in "$@"; do kill -0 "$server" 2>/dev/null || exit "$rc"; done
    [ $rc -eq 0 ] || provisioning_failed
    echo "==> provisioning complete: $(grep -E '^Apply complete|created|adopted' "$PROVISION_LOG" | tr '\n' ' ')"
  fi
  wait -n "$@"
}
