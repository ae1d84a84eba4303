#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine of this kind, then restores NuGet packages.
# Safe to run again: it only installs what is missing.
# --tests: also what only the tests need (npm packages of the test helpers, the test projects' NuGet packages);
# without it (scripts/up-local.sh) nothing test-only is fetched, so the program runs where npm is unreachable.
set -euo pipefail
cd "$(dirname "$0")/.."
with_tests=0
for arg in "$@"; do
  case "$arg" in
    --tests) with_tests=1 ;;
    *) echo "setup: unknown argument '$arg' (known: --tests)" >&2; exit 2 ;;
  esac
done

need_apt=()
{ command -v nebula-cert && command -v nebula; } >/dev/null 2>&1 || need_apt+=(nebula)
command -v ip >/dev/null 2>&1 || need_apt+=(iproute2)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3) # the network namespace tests' TCP listeners
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]} (apt)"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ "$with_tests" = 1 ] && [ -f tests/js/package.json ] && [ ! -d tests/js/node_modules ]; then
  echo "setup: installing npm packages for tests/js"
  (cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ "$with_tests" = 1 ]; then
  dotnet restore Infra.sln --verbosity quiet
else
  dotnet restore infra/ScyllaApocryph.Infra.csproj --verbosity quiet
fi
