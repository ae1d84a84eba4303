#!/usr/bin/env bash
# Publishes the node agent as one self-contained linux-x64 file that runs with no .NET installed:
#   bash scripts/publish-agent.sh [OUTPUT_DIR]      (default out/agent) -> OUTPUT_DIR/scylla-apocryph-agent
# agent/Dockerfile copies it into an image derived from the configured ScyllaDB image.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-out/agent}"
dotnet publish agent/ScyllaApocryph.Agent.csproj -c Release -r linux-x64 --self-contained true \
  -p:PublishSingleFile=true -p:DebugType=none -o "$out" --nologo --verbosity quiet
rm -f "$out"/*.pdb "$out"/*.staticwebassets.endpoints.json
echo "$out/scylla-apocryph-agent"
