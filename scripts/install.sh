#!/usr/bin/env bash
# Installs the `scylla-apocryph` command: the program published ReadyToRun (precompiled, so it starts without most of
# the JIT work) into $PREFIX/share/scylla-apocryph, and a link to it in $PREFIX/bin.
# PREFIX defaults to ~/.local (no root needed); make sure $PREFIX/bin is on PATH.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="${PREFIX:-$HOME/.local}"
case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64) rid=linux-arm64 ;;
  *) echo "install.sh: unsupported machine $(uname -m)" >&2; exit 2 ;;
esac
dotnet publish "$here/infra" -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true -o "$prefix/share/scylla-apocryph" --nologo -v quiet
mkdir -p "$prefix/bin"
ln -sf "$prefix/share/scylla-apocryph/scylla-apocryph" "$prefix/bin/scylla-apocryph"
echo "installed: $prefix/bin/scylla-apocryph"
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "add it to PATH: export PATH=\"$prefix/bin:\$PATH\"" ;;
esac
