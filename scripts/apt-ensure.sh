#!/usr/bin/env bash
# apt-ensure.sh "<check command>" "<packages>" "<what they are for>"
# Runs the check; when it fails, installs the Debian packages with apt-get if we are root (or have
# password-less sudo) and checks again; otherwise stops with one line saying what to install.
set -euo pipefail
CHECK="$1" PACKAGES="$2" PURPOSE="$3"
bash -c "$CHECK" >/dev/null 2>&1 && exit 0
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || { command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && SUDO="sudo -n"; }
  if [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; then
    echo "Installing $PURPOSE ($PACKAGES) with apt-get…"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
    bash -c "$CHECK" >/dev/null 2>&1 && exit 0
  fi
fi
echo "Missing $PURPOSE: install Debian's packages $PACKAGES (apt-get install $PACKAGES)." >&2
exit 1
