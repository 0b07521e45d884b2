#!/usr/bin/env bash
# `make minikube`: the Users API on a local Kubernetes, against LocalStack on the host.
#   1. minikube start (unless it runs)           4. build the image and `minikube image load` it
#   2. LocalStack on 0.0.0.0:4566 (docker)        5. helm upgrade --install with values-minikube.yaml, wait for the rollout
#   3. table + bucket: scripts/provision-local.sh 6. helm test, then how to reach the API
# Needs: minikube, kubectl, helm, docker (for LocalStack and the image), the aws CLI (and terraform when
# provision-local.sh uses it). Not run on CI (no cluster there).
# Env: RELEASE (users-api), NAMESPACE (users), MINIKUBE_PROFILE (minikube), LOCALSTACK_IMAGE (localstack/localstack:3),
#      IMAGE (users-api:local). `scripts/minikube.sh --delete` uninstalls the release and stops LocalStack.
set -euo pipefail
cd "$(dirname "$0")/.."

RELEASE=${RELEASE:-users-api}
NAMESPACE=${NAMESPACE:-users}
PROFILE=${MINIKUBE_PROFILE:-minikube}
IMAGE=${IMAGE:-users-api:local}
LOCALSTACK_IMAGE=${LOCALSTACK_IMAGE:-localstack/localstack:3}
LOCALSTACK_CONTAINER=users-api-localstack
CHART=helm/users-api
ENDPOINT=http://127.0.0.1:4566

step() { echo "==> $*"; }
die() { echo "error: $*" >&2; exit 1; }

if [ "${1:-}" = "--delete" ]; then
  helm uninstall "$RELEASE" --namespace "$NAMESPACE" --kube-context "$PROFILE" 2>/dev/null || true
  docker rm -f "$LOCALSTACK_CONTAINER" >/dev/null 2>&1 || true
  echo "release $RELEASE uninstalled and LocalStack stopped (minikube itself still runs: minikube stop -p $PROFILE)"
  exit 0
fi

for tool in minikube kubectl helm docker aws curl; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is required (see docs/container-and-helm.md)"
done
docker info >/dev/null 2>&1 || die "the Docker engine does not answer"

# shellcheck source=scripts/lib/net.sh
source scripts/lib/net.sh

# 1. The cluster.
if minikube status -p "$PROFILE" >/dev/null 2>&1; then
  step "minikube profile $PROFILE is running"
else
  step "starting minikube profile $PROFILE"
  minikube start -p "$PROFILE"
fi
kubectl config use-context "$PROFILE" >/dev/null

# 2. LocalStack on all interfaces, so the minikube node reaches it as host.minikube.internal:4566.
if curl -fsS -o /dev/null "$ENDPOINT/_localstack/health" 2>/dev/null; then
  step "LocalStack already answers on $ENDPOINT"
else
  step "starting LocalStack ($LOCALSTACK_IMAGE) on 0.0.0.0:4566"
  docker rm -f "$LOCALSTACK_CONTAINER" >/dev/null 2>&1 || true
  docker run -d --name "$LOCALSTACK_CONTAINER" -p 0.0.0.0:4566:4566 \
    -e SERVICES=dynamodb,s3,iam,sts -e GATEWAY_LISTEN=0.0.0.0:4566 "$LOCALSTACK_IMAGE" >/dev/null
  wait_http "$ENDPOINT/_localstack/health" 120 200 || die "LocalStack did not become healthy"
fi

# 3. The table and the bucket (the names values-minikube.yaml uses).
step "provisioning the table and bucket against LocalStack"
USERS_TABLE_NAME=users AVATARS_BUCKET_NAME=users-avatars AWS_REGION=us-east-1 \
  bash scripts/provision-local.sh "$ENDPOINT"

# 4. The image, built on the host and loaded into the cluster (values-minikube.yaml: pullPolicy Never).
step "building $IMAGE"
CONTAINER_ENGINE=docker IMAGE="$IMAGE" bash scripts/test-image.sh --build-only
step "loading $IMAGE into minikube"
minikube image load -p "$PROFILE" --overwrite=true "$IMAGE"
image_id=$(docker image inspect --format '{{.Id}}' "$IMAGE")

# 5. The release. The image id annotation rolls the pods when a rebuilt image keeps the same tag.
step "helm upgrade --install $RELEASE (namespace $NAMESPACE)"
helm upgrade --install "$RELEASE" "$CHART" \
  --kube-context "$PROFILE" --namespace "$NAMESPACE" --create-namespace \
  -f "$CHART/values-minikube.yaml" \
  --set image.repository="${IMAGE%:*}" --set image.tag="${IMAGE##*:}" \
  --set-string "podAnnotations.users-api/image-id=${image_id#sha256:}" \
  --wait --timeout 5m
deployment=$(kubectl -n "$NAMESPACE" get deployment -l "app.kubernetes.io/instance=$RELEASE" -o name)
[ -n "$deployment" ] || die "no deployment found for release $RELEASE"
kubectl -n "$NAMESPACE" rollout status "$deployment" --timeout 180s

# 6. The chart's own tests: /health/ready and GET /users through the Service.
step "helm test $RELEASE"
helm test "$RELEASE" --kube-context "$PROFILE" --namespace "$NAMESPACE" --logs

service=$(kubectl -n "$NAMESPACE" get service -l "app.kubernetes.io/instance=$RELEASE" -o jsonpath='{.items[0].metadata.name}')
cat <<MSG

The Users API runs on minikube (release $RELEASE, namespace $NAMESPACE). Reach it with:
  kubectl -n $NAMESPACE port-forward service/$service 8080:80
  curl http://127.0.0.1:8080/users
  curl -F name=Ada -F email=ada@example.com -F avatar=@some.png http://127.0.0.1:8080/user
  open http://127.0.0.1:8080/swagger
Logs:      kubectl -n $NAMESPACE logs $deployment -f
Tear down: scripts/minikube.sh --delete
MSG
