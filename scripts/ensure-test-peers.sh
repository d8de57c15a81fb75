#!/usr/bin/env bash
# The independent OAuth 1.0a peers of the interop tests: Debian's python3-oauthlib and
# python3-requests-oauthlib (python3-jwt and python3-cryptography for RSA-SHA1), used through
# /usr/bin/python3, which sees Debian's modules.
set -euo pipefail
exec bash "$(dirname "$0")/apt-ensure.sh" "/usr/bin/python3 -c 'import oauthlib, requests_oauthlib, jwt, cryptography'" \
  "python3-oauthlib python3-requests-oauthlib python3-jwt python3-cryptography" "the OAuth interop peers"
