#!/usr/bin/env bash
# Sets up the machine, then builds and runs every test. Prints "N passed, N failed, N skipped" at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --tests
log=$(mktemp)
set +e
dotnet test Infra.sln --nologo --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# dotnet test prints one summary per test assembly ("Total tests: 13", "     Passed: 12", "     Skipped: 1").
sum() { { grep -oE "^ *$1: +[0-9]+" "$log" || true; } | awk '{ n += $2 } END { print n + 0 }'; }
summary="$(sum Passed) passed, $(sum Failed) failed, $(sum Skipped) skipped"
rm -f "$log"
echo "$summary"
exit "$rc"
