#!/usr/bin/env bash
# Installs what `make test` needs on a fresh machine, from the registries this machine reaches.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v curl >/dev/null || need_apt+=(curl)
command -v jq >/dev/null || need_apt+=(jq)
command -v shellcheck >/dev/null || need_apt+=(shellcheck)
command -v haproxy >/dev/null || need_apt+=(haproxy) # the reliability campaign's rolling restart (make reliability)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi

command -v dotnet >/dev/null || { echo "the .NET 10 SDK is required" >&2; exit 1; }
command -v moto_server >/dev/null || { echo "moto_server is required: pip install 'moto[server]'" >&2; exit 1; }
dotnet restore Users.slnx
