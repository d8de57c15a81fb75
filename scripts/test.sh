#!/usr/bin/env bash
# `npm test`: typecheck, lint, unit and integration tests, then the Playwright flows.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1

step() { printf '\n\033[1m== %s\033[0m\n' "$1"; }

step "Node.js $(node --version)"
node scripts/check-node.mjs
step "typecheck"
npx --no-install tsc --noEmit
step "lint"
npx --no-install eslint --max-warnings 0 .
step "unit, integration and interop tests on SQLite (vitest; python3-oauthlib as the independent OAuth peer)"
bash scripts/ensure-test-peers.sh
npx --no-install vitest run
step "the same tests on PostgreSQL (TEST_POSTGRES_URL when set, else a throw-away embedded-postgres server)"
TEST_DATABASE=postgresql npx --no-install vitest run
step "browser flows (playwright, Debian chromium; three instances behind Debian's haproxy on PostgreSQL)"
bash scripts/ensure-chromium.sh
bash scripts/ensure-haproxy.sh
npx --no-install playwright test
