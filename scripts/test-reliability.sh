#!/usr/bin/env bash
# `make test` step: the reliability campaign's bounded subset (overload with the limiter on and off, abuse, the
# dependency faults, HTTP fuzzing), each ending with the integrity audit; about 3 minutes. The full campaign (with the
# adaptive concurrency limit at 8× capacity beside the fixed limit, which does not meet its bounds yet) is
# `make reliability`. It runs against the Native AOT executable the container image ships (APP=native).
set -euo pipefail
cd "$(dirname "$0")/.."
APP=native QUICK=1 SCENARIOS=overload,abuse,faults,fuzz exec bash scripts/reliability.sh
