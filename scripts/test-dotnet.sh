#!/usr/bin/env bash
# Builds the solution with warnings as errors and runs every .NET test project.
# Integration tests start their own moto_server on a free loopback port.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v moto_server >/dev/null || { echo "moto_server is required for the integration tests (pip install 'moto[server]')" >&2; exit 1; }
dotnet build Users.slnx -c Release
dotnet test Users.slnx -c Release --no-build --logger "console;verbosity=normal" "$@"
