#!/usr/bin/env bash
# Re-takes the screenshots of the web page in docs/ui/ (index, light, counter, camera, stage, autofocus, signin): runs
# the browser tests of the page against the example server with LABTHINGS_SCREENSHOTS=1. Needs what scripts/test.sh
# installs (Debian's chromium, the npm packages in LabThings.Tests/Interop).
set -euo pipefail
cd "$(dirname "$0")/.."
LABTHINGS_SCREENSHOTS=1 exec dotnet test LabThings.Tests --filter "FullyQualifiedName~LabThings.Tests.Browser.UiBrowserTests|FullyQualifiedName~LabThings.Tests.Browser.SignInBrowserTests" "$@"
