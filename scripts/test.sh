#!/usr/bin/env bash
# Runs every test in LabThings.sln. Needs only the .NET SDK: whatever else the tests use is installed
# here if it is missing (Debian's chromium and firefox-esr for the browser tests; ffmpeg for the FFmpeg
# camera's tests; Node.js and the npm packages in LabThings.Tests/Interop for W3C Thing Description
# validation, node-wot, axe-core and puppeteer-core, which drives Firefox).
# Extra arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v firefox-esr >/dev/null 2>&1 || missing+=(firefox-esr)
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing from Debian: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get -o DPkg::Lock::Timeout=300 update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The npm packages the tests use are pinned in LabThings.Tests/Interop/package-lock.json.
if [ ! -f LabThings.Tests/Interop/node_modules/.package-lock.json ] \
   || ! cmp -s LabThings.Tests/Interop/package-lock.json LabThings.Tests/Interop/node_modules/.lockfile-copy 2>/dev/null; then
  (cd LabThings.Tests/Interop && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.lockfile-copy)
fi

exec dotnet test LabThings.sln "$@"
