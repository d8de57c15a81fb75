#!/usr/bin/env bash
# Debian's Chromium for the Playwright flows (browser downloads do not work here).
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
exec bash "$(dirname "$0")/apt-ensure.sh" "test -x '$CHROMIUM'" "chromium" "Chromium for the browser tests (or set CHROMIUM_PATH)"
