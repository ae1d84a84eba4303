#!/usr/bin/env bash
# A local Apocryph on this machine, for the apocryph-local stack:
#   bash scripts/apocryph-devnet.sh start   anvil on 127.0.0.1:8545 (chain id 31337) with this project's Payment, Registry and
#                                           token contracts, three provider doubles behind a Kubo API double on
#                                           127.0.0.1:15001, registered in the Registry (profile on the Kubo double,
#                                           one pricing table each); what the providers receive goes to .state/devnet/manifests
#   bash scripts/apocryph-devnet.sh stop    stops both (only the processes this script started, by their pid files)
#   bash scripts/apocryph-devnet.sh status
# Everything listens on loopback only. Needs scripts/setup.sh first (anvil, solc, compiled contracts).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.state/devnet
rpc_port=${APOCRYPH_DEVNET_RPC_PORT:-8545}
kubo_port=${APOCRYPH_DEVNET_KUBO_PORT:-15001}

running() { [ -f "$dir/$1.pid" ] && kill -0 "$(cat "$dir/$1.pid")" 2>/dev/null; }

stop_one() {
  if running "$1"; then
    kill "$(cat "$dir/$1.pid")"
    for _ in $(seq 1 50); do running "$1" || break; sleep 0.1; done
  fi
  rm -f "$dir/$1.pid"
}

case "${1:-}" in
  start)
    if running anvil || running host; then echo "devnet: already running (bash $0 stop first)" >&2; exit 2; fi
    [ -x tests/devnet/node_modules/.bin/anvil ] && [ -f tests/devnet/build/contracts.json ] \
      || { echo "devnet: anvil or the compiled contracts are missing; run bash scripts/setup.sh" >&2; exit 2; }
    mkdir -p "$dir/manifests"
    tests/devnet/node_modules/.bin/anvil --host 127.0.0.1 --port "$rpc_port" --chain-id 31337 --silent >"$dir/anvil.log" 2>&1 &
    echo $! >"$dir/anvil.pid"
    dotnet build tests/devnet/host --nologo --verbosity quiet >"$dir/build.log" 2>&1 \
      || { cat "$dir/build.log" >&2; stop_one anvil; exit 1; }
    host=$(find tests/devnet/host/bin -name apocryph-devnet-host.dll | head -n 1)
    dotnet "$host" "http://127.0.0.1:$rpc_port" "$kubo_port" "$dir/manifests" tests/devnet/build/contracts.json >"$dir/host.log" 2>&1 &
    echo $! >"$dir/host.pid"
    for _ in $(seq 1 300); do # up to 30 s
      grep -q '^ready$' "$dir/host.log" 2>/dev/null && break
      running host || { cat "$dir/host.log" >&2; stop_one anvil; exit 1; }
      sleep 0.1
    done
    grep -q '^ready$' "$dir/host.log" || { echo "devnet: the host did not start within 30 s" >&2; cat "$dir/host.log" >&2; stop_one host; stop_one anvil; exit 1; }
    cat "$dir/host.log"
    echo "devnet: chain http://127.0.0.1:$rpc_port, Kubo API http://127.0.0.1:$kubo_port"
    echo "devnet: the publisher's key is anvil's development account 0 (a published test key):"
    echo "  export APOCRYPH_WALLET_KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
    ;;
  stop)
    stop_one host
    stop_one anvil
    echo "devnet: stopped (received manifests stay in $dir/manifests)"
    ;;
  status)
    for s in anvil host; do if running $s; then echo "$s: running"; else echo "$s: stopped"; fi; done
    ;;
  *)
    echo "usage: bash $0 start|stop|status" >&2
    exit 2
    ;;
esac
