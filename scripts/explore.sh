#!/usr/bin/env bash
# Explores fresh random schedules of a property test (not part of CI, which runs fixed seeds), or replays one seed.
#   bash scripts/explore.sh membership N            N fresh random schedules; prints each failing seed and how to replay it
#   bash scripts/explore.sh membership --seed SEED  replays one schedule
set -euo pipefail
cd "$(dirname "$0")/.."
usage() { echo "usage: bash scripts/explore.sh membership N | membership --seed SEED" >&2; exit 2; }
[ "${1:-}" = membership ] || usage
report=$(mktemp)
trap 'rm -f "$report"' EXIT
if [ "${2:-}" = --seed ]; then
  [ -n "${3:-}" ] || usage
  export EXPLORE_MEMBERSHIP_SEED="$3"
else
  [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || usage
  export EXPLORE_MEMBERSHIP="$2"
fi
export EXPLORE_REPORT="$report"
set +e
dotnet test tests --nologo --filter "FullyQualifiedName~MembershipExploration" >"$report.log" 2>&1
rc=$?
set -e
if [ ! -s "$report" ]; then cat "$report.log"; rm -f "$report.log"; exit "${rc:-1}"; fi
rm -f "$report.log"
cat "$report"
exit "$rc"
