#!/usr/bin/env bash
# Installs the scylla-apocryph command: a ReadyToRun build (compiled ahead of time, so it starts without most of
# the JIT work; it runs on the installed .NET 10 runtime) in $PREFIX/share/scylla-apocryph, linked from
# $PREFIX/bin. PREFIX defaults to ~/.local. Run it again to update.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${PREFIX:-$HOME/.local}"
target="$prefix/share/scylla-apocryph"
rid="$(dotnet --info | awk '$1 == "RID:" { print $2; exit }')"
if [ -z "$rid" ]; then echo "install: could not read the runtime identifier from 'dotnet --info'" >&2; exit 1; fi
bash scripts/setup.sh --for-up
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
dotnet publish infra -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true -o "$build" --nologo --verbosity quiet
# Replace the previous install only once the new build exists.
rm -rf "$target"
mkdir -p "$(dirname "$target")" "$prefix/bin"
cp -r "$build" "$target"
chmod 755 "$target"
ln -sfn "$target/scylla-apocryph" "$prefix/bin/scylla-apocryph"
echo "installed $prefix/bin/scylla-apocryph -> $target/scylla-apocryph"
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "note: $prefix/bin is not on PATH; add it, e.g.: export PATH=\"$prefix/bin:\$PATH\"" ;;
esac
