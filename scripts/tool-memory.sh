#!/usr/bin/env bash
# RSS of a labthings-server hosting only the example counter: after start-up, after a Thing Description and a
# property read, and after an action with an input (each read 3 s after the step; Linux, VmRSS from /proc).
# Usage: scripts/tool-memory.sh [FOLDER with LabThings.ServerTool.dll]   (default: a Release build of tools/LabThings.ServerTool)
set -euo pipefail
cd "$(dirname "$0")/.."
tool="${1:-tools/LabThings.ServerTool/bin/Release/net10.0}"
[ -f "$tool/LabThings.ServerTool.dll" ] || [ -n "${1:-}" ] || dotnet build -c Release tools/LabThings.ServerTool >/dev/null
tool="$(realpath "$tool")"
work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
echo '{ "LabThings": { "Things": { "counter": { "Type": "LabThings.Examples.Counter" } } } }' > "$work/counter.json"
(cd "$work" && exec dotnet "$tool/LabThings.ServerTool.dll" -c counter.json --urls http://127.0.0.1:0 > out.txt 2>&1) &
pid=$!
for _ in $(seq 1 100); do grep -q "listening on" "$work/out.txt" 2>/dev/null && break; sleep 0.2; done
url="$(grep -o 'http://127.0.0.1:[0-9]*' "$work/out.txt" | head -1)"
rss() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status"; }
sleep 3; start="$(rss)"
curl -sf -o /dev/null "$url/counter/"; curl -sf -o /dev/null "$url/counter/counter"; sleep 3; read="$(rss)"
curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' -d '{"increments": 1, "interval": 0.01}' "$url/counter/slowly_increase_counter"; sleep 3; action="$(rss)"
echo "labthings-server ($tool): start $start MiB, after a TD and a read $read MiB, after an action with an input $action MiB"
