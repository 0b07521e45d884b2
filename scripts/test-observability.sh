#!/usr/bin/env bash
# Observability, proven (`make test-observability`). A launcher: it starts the service on moto_server and a real
# Prometheus that scrapes it the way the ServiceMonitor says (port `metrics` = METRICS_PORT, path /metrics); the checks
# are scripts/observability_check.py's: promtool checks and unit-tests the chart's rules, traffic with errors goes
# through, and every recording rule and every dashboard query is evaluated through Prometheus' HTTP API and must return
# data. Results: artifacts/test-results/observability/observability.xml (JUnit).
# Needs: promtool and prometheus (Debian's `prometheus`), moto_server, the AWS CLI, python3 with yaml, curl.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/net.sh
source scripts/lib/net.sh
# shellcheck source=scripts/lib/test-results.sh
source scripts/lib/test-results.sh

RULES=helm/users-api/files/prometheus/rules.yaml
for tool in promtool prometheus moto_server aws; do
  command -v "$tool" >/dev/null || { echo "$tool is required (scripts/ci-setup.sh installs it)" >&2; exit 1; }
done
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

echo "--- the service on moto_server (the table only: until the checks create the bucket, registrations fail)"
start_moto "$work/moto.log"
pids+=("$MOTO_PID")
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
aws --endpoint-url "$MOTO_ENDPOINT" dynamodb create-table --table-name users \
  --attribute-definitions AttributeName=email,AttributeType=S --key-schema AttributeName=email,KeyType=HASH \
  --billing-mode PAY_PER_REQUEST >/dev/null
dotnet build src/Users.Functions -c Release -v quiet -nologo >/dev/null
app_port=$(free_port) metrics_port=$(free_port) ksm_port=$(free_port) prom_port=$(free_port)
(cd src/Users.Functions/bin/Release/net10.0 && AWS_ENDPOINT_URL="$MOTO_ENDPOINT" ASPNETCORE_URLS="http://127.0.0.1:$app_port" \
  METRICS_PORT="$metrics_port" AVATAR_MAX_BYTES=2048 exec dotnet Users.Functions.dll >"$work/app.log" 2>&1) &
pids+=("$!")
wait_http "http://127.0.0.1:$app_port/health/live" 60 200 || { cat "$work/app.log" >&2; exit 1; }

echo "--- Prometheus, as the Prometheus Operator configures it from the ServiceMonitor"
# job = the Service's app.kubernetes.io/name (jobLabel), the endpoint's port `metrics` (METRICS_PORT) and path /metrics;
# intervals shortened for the test. kube-state-metrics' stand-in is served by observability_check.py.
cat >"$work/prometheus.yml" <<PROM
global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: ["$PWD/$RULES"]
scrape_configs:
  - { job_name: users-api, metrics_path: /metrics, static_configs: [{ targets: ["127.0.0.1:$metrics_port"] }] }
  - { job_name: kube-state-metrics, static_configs: [{ targets: ["127.0.0.1:$ksm_port"] }] }
PROM
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=("$!")
wait_http "http://127.0.0.1:$prom_port/-/ready" 60 200 || { cat "$work/prometheus.log" >&2; exit 1; }

echo "--- the checks (scripts/observability_check.py)"
results=artifacts/test-results/observability
rm -rf "$results" && mkdir -p "$results"
python3 scripts/observability_check.py --api "http://127.0.0.1:$app_port" --s3 "$MOTO_ENDPOINT" \
  --prometheus "http://127.0.0.1:$prom_port" --ksm-port "$ksm_port" --rules "$RULES" \
  --rules-test helm/users-api/files/prometheus/rules.test.yaml --dashboard helm/users-api/files/grafana/users-api.json \
  --junit "$results/observability.xml"
test_results check "$results"
