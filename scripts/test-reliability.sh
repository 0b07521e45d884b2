#!/usr/bin/env bash
# `make test` step: the reliability campaign's bounded subset (overload with the limiter on and off, abuse, two
# dependency faults, HTTP fuzzing), each ending with the integrity audit; about 2-3 minutes. The full campaign is
# `make reliability`. It runs against the Native AOT executable the container image ships (APP=native).
set -euo pipefail
cd "$(dirname "$0")/.."
APP=native QUICK=1 SCENARIOS=overload,abuse,faults,fuzz exec bash scripts/reliability.sh
