#!/usr/bin/env bash
# Sets up the machine, then runs `up` on the local stack: renders the cluster to out/local/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --for-up
exec dotnet run --project infra -- up --stack local --yes "$@"
