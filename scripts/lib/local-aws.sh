# shellcheck shell=bash
# Sourced by scripts/run-local.sh (`make run`) and scripts/lambda-local.sh (`make lambda-local`): one local AWS for both.
#  - AWS_ENDPOINT_URL unset: starts an emulator on 127.0.0.1:${EMULATOR_PORT:-4566} (LocalStack when a Docker engine
#    answers, else moto_server), or reuses whatever already listens there; stopped on exit (Ctrl-C).
#  - AWS_ENDPOINT_URL set: uses that endpoint and starts nothing.
# Then creates the table and bucket when missing (scripts/provision-local.sh).

export AWS_REGION=${AWS_REGION:-us-east-1}
export USERS_TABLE_NAME=${USERS_TABLE_NAME:-users}
export AVATARS_BUCKET_NAME=${AVATARS_BUCKET_NAME:-users-avatars}
EMULATOR_PORT=${EMULATOR_PORT:-4566}

# What this shell started: "pid:N" or "container:NAME"; all stopped by the EXIT trap.
started=()
stop_started() {
  for item in "${started[@]}"; do
    case $item in
      pid:*) kill "${item#pid:}" 2>/dev/null || true ;;
      container:*) docker rm -f "${item#container:}" >/dev/null 2>&1 || true ;;
    esac
  done
  for item in "${started[@]}"; do
    case $item in pid:*) wait "${item#pid:}" 2>/dev/null || true ;; esac
  done
}
trap stop_started EXIT
trap 'exit 130' INT TERM

# shellcheck source=scripts/lib/net.sh
source scripts/lib/net.sh

ensure_local_aws() {
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
    elif command -v moto_server >/dev/null; then
      echo "==> starting moto_server on $AWS_ENDPOINT_URL"
      mkdir -p .local
      start_moto .local/moto.log "$EMULATOR_PORT"
      started+=("pid:$MOTO_PID")
    else
      echo "No local AWS emulator: install Docker (LocalStack) or moto (pip install 'moto[server]'), or set AWS_ENDPOINT_URL." >&2
      exit 1
    fi
  fi

  echo "==> ensuring table '$USERS_TABLE_NAME' and bucket '$AVATARS_BUCKET_NAME' exist"
  bash scripts/provision-local.sh "$AWS_ENDPOINT_URL"
}
