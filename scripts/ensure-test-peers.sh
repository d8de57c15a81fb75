#!/usr/bin/env bash
# The independent peers of the interop tests: Debian's python3-oauthlib and
# python3-requests-oauthlib (python3-jwt and python3-cryptography for RSA-SHA1), used through
# /usr/bin/python3, which sees Debian's modules; and the openssl command (PKCS#12 files as a
# keystore export writes them, `openssl s_server` as a TLS peer that asks for a client certificate);
# SoftHSM; and promtool.
set -euo pipefail
here="$(dirname "$0")"
bash "$here/apt-ensure.sh" "/usr/bin/python3 -c 'import oauthlib, requests_oauthlib, jwt, cryptography'" \
  "python3-oauthlib python3-requests-oauthlib python3-jwt python3-cryptography" "the OAuth interop peers"
bash "$here/apt-ensure.sh" "openssl version" "openssl" "the openssl command (PKCS#12 files and a TLS peer in the tests)"
# SoftHSM is the HSM of the PKCS#11 key provider's tests (a token initialised per run with softhsm2-util).
bash "$here/apt-ensure.sh" "softhsm2-util --version && test -f /usr/lib/softhsm/libsofthsm2.so" "softhsm2" "SoftHSM (the PKCS#11 key provider's tests)"
# promtool checks and tests the example Prometheus alert rules (docs/prometheus/); the prometheus
# service itself is never started.
exec bash "$here/apt-ensure.sh" "promtool --version" "prometheus" "Prometheus's promtool (the example alert rules' tests)"
