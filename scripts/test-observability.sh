#!/usr/bin/env bash
# Observability, proven: promtool checks and unit-tests the chart's rules (each SLO alert fires at its burn rate and
# stays quiet below it), then a real Prometheus scrapes the running service the way the ServiceMonitor says (port
# `metrics` = METRICS_PORT, path /metrics) while traffic with errors goes through, and every recording rule and every
# dashboard query is evaluated through Prometheus' HTTP API and must return data.
# Needs: promtool and prometheus (Debian's `prometheus`), moto_server, the AWS CLI, python3 with yaml, curl.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/net.sh
source scripts/lib/net.sh

RULES=helm/users-api/files/prometheus/rules.yaml
DASHBOARD=helm/users-api/files/grafana/users-api.json
for tool in promtool prometheus moto_server aws; do
  command -v "$tool" >/dev/null || { echo "$tool is required (scripts/ci-setup.sh installs it)" >&2; exit 1; }
done

echo "--- promtool check rules / test rules"
promtool check rules "$RULES"
promtool test rules helm/users-api/files/prometheus/rules.test.yaml

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

echo "--- the service, a stand-in for kube-state-metrics, and Prometheus"
start_moto "$work/moto.log"
pids+=("$MOTO_PID")
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
aws --endpoint-url "$MOTO_ENDPOINT" dynamodb create-table --table-name users \
  --attribute-definitions AttributeName=email,AttributeType=S --key-schema AttributeName=email,KeyType=HASH \
  --billing-mode PAY_PER_REQUEST >/dev/null
# The bucket is created later: until then every registration fails (503), which the SLIs must see.

dotnet build src/Users.Functions -c Release -v quiet -nologo >/dev/null
app_port=$(free_port) metrics_port=$(free_port)
(cd src/Users.Functions/bin/Release/net10.0 && AWS_ENDPOINT_URL="$MOTO_ENDPOINT" ASPNETCORE_URLS="http://127.0.0.1:$app_port" \
  METRICS_PORT="$metrics_port" AVATAR_MAX_BYTES=2048 exec dotnet Users.Functions.dll >"$work/app.log" 2>&1) &
pids+=("$!")
wait_http "http://127.0.0.1:$app_port/health/live" 60 200 || { cat "$work/app.log" >&2; exit 1; }

# kube-state-metrics is not here: its series for the pod and HPA panels come from a static file in its format.
mkdir -p "$work/ksm"
cat >"$work/ksm/metrics" <<'KSM'
# TYPE kube_pod_container_status_ready gauge
kube_pod_container_status_ready{namespace="apps",pod="users-users-api-0",container="users-api"} 1
# TYPE kube_pod_container_status_restarts_total counter
kube_pod_container_status_restarts_total{namespace="apps",pod="users-users-api-0",container="users-api"} 0
# TYPE kube_horizontalpodautoscaler_status_current_replicas gauge
kube_horizontalpodautoscaler_status_current_replicas{namespace="apps",horizontalpodautoscaler="users-users-api"} 2
# TYPE kube_horizontalpodautoscaler_spec_max_replicas gauge
kube_horizontalpodautoscaler_spec_max_replicas{namespace="apps",horizontalpodautoscaler="users-users-api"} 10
KSM
ksm_port=$(free_port)
python3 -m http.server "$ksm_port" --bind 127.0.0.1 --directory "$work/ksm" >"$work/ksm.log" 2>&1 &
pids+=("$!")
wait_http "http://127.0.0.1:$ksm_port/metrics" 30 200

# What the Prometheus Operator generates from the ServiceMonitor: job = the Service's app.kubernetes.io/name
# (jobLabel), the endpoint's port `metrics` (METRICS_PORT) and path /metrics; intervals shortened for the test.
prom_port=$(free_port)
cat >"$work/prometheus.yml" <<PROM
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $PWD/$RULES
scrape_configs:
  - job_name: users-api
    metrics_path: /metrics
    static_configs:
      - targets: ["127.0.0.1:$metrics_port"]
  - job_name: kube-state-metrics
    static_configs:
      - targets: ["127.0.0.1:$ksm_port"]
PROM
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=("$!")
wait_http "http://127.0.0.1:$prom_port/-/ready" 60 200 || { cat "$work/prometheus.log" >&2; exit 1; }

echo "--- traffic, errors included"
python3 scripts/observability_check.py traffic --api "http://127.0.0.1:$app_port" --s3 "$MOTO_ENDPOINT" \
  --prometheus "http://127.0.0.1:$prom_port"

echo "--- every recording rule and dashboard query through Prometheus' API"
python3 scripts/observability_check.py evaluate --prometheus "http://127.0.0.1:$prom_port" --rules "$RULES" --dashboard "$DASHBOARD"
