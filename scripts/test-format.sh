#!/usr/bin/env bash
# dotnet format must have nothing to change (whitespace, style and analyzers).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet format Users.slnx --verify-no-changes --verbosity minimal
