#!/usr/bin/env bash
# Debian's HAProxy, the load balancer in front of three instances in the cluster flow (e2e/cluster.spec.ts).
set -euo pipefail
exec bash "$(dirname "$0")/apt-ensure.sh" "command -v haproxy" "haproxy" "HAProxy for the three-instance test"
