#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine of this kind, then restores NuGet packages.
# Safe to run again: it only installs what is missing.
# With --for-up (what up-local.sh and install.sh use) it installs only what running the program needs: no test-only
# Debian packages, no npm packages for the test helpers, and a restore of the program alone, so `up` works where
# npm is unreachable and offline once the NuGet packages are cached.
set -euo pipefail
cd "$(dirname "$0")/.."
for_up=false
for arg in "$@"; do
  case "$arg" in
    --for-up) for_up=true ;;
    *) echo "setup: unknown argument '$arg' (known: --for-up)" >&2; exit 2 ;;
  esac
done

need_apt=()
{ command -v nebula-cert && command -v nebula; } >/dev/null 2>&1 || need_apt+=(nebula)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl) # the random password provider runs `openssl passwd -6`
if ! $for_up; then
  command -v ip >/dev/null 2>&1 || need_apt+=(iproute2)
  command -v python3 >/dev/null 2>&1 || need_apt+=(python3) # the network namespace tests' TCP listeners
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]} (apt)"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! $for_up && [ -f tests/js/package.json ] && [ ! -d tests/js/node_modules ]; then
  echo "setup: installing npm packages for tests/js"
  (cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
fi

if ! $for_up && [ -f tests/devnet/package.json ] && [ ! -d tests/devnet/node_modules ]; then
  echo "setup: installing npm packages for tests/devnet (anvil, solc)"
  (cd tests/devnet && npm ci --no-audit --no-fund --loglevel=error)
fi
if ! $for_up && [ -f tests/devnet/compile.mjs ]; then # the local Apocryph chain's contracts; cheap, so always rebuilt
  (cd tests/devnet && node compile.mjs >/dev/null)
fi
if ! $for_up && [ -f tests/pulumi-interop/package.json ] && [ ! -d tests/pulumi-interop/node_modules ]; then
  echo "setup: installing npm packages for tests/pulumi-interop"
  (cd tests/pulumi-interop && npm ci --no-audit --no-fund --loglevel=error)
fi

if $for_up; then
  dotnet restore infra/ScyllaApocryph.Infra.csproj --verbosity quiet
else
  dotnet restore Infra.sln --verbosity quiet
fi
