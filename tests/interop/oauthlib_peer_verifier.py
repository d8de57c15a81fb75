"""The applinks peer's verifier (tests/support/applinks-peer.ts): python3-oauthlib checks each
request the peer receives, so a signing bug shared by this project's signer and verifier cannot
pass the link-status tests.

One JSON request per line on stdin: {"consumers": {key: {"rsa_public_pem": str}}, "method", "url",
"headers", "body", "clock_offset": seconds}; one JSON answer per line on stdout: {"valid": bool,
"requestor": str|null, "problem": str|null}. The peer's own policy, as an Atlassian server's: a
300 s timestamp window on its clock (shifted by clock_offset), each nonce once, and the problem
named as OAuth Problem Reporting names it. Run with /usr/bin/python3 (Debian's python3-oauthlib).
"""
import json
import sys
import time
import types
from urllib.parse import parse_qsl, urlsplit

import oauthlib.oauth1.rfc5849.endpoints.base as endpoint_base
from oauthlib.oauth1 import SignatureOnlyEndpoint
from oauthlib.oauth1.rfc5849.utils import parse_authorization_header, unescape

from oauthlib_validator import Validator

WINDOW_SECONDS = 300
real_time = time.time
seen_nonces = set()


def answer(valid, requestor=None, problem=None):
    sys.stdout.write(json.dumps({"valid": valid, "requestor": requestor, "problem": problem}) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    r = json.loads(line)
    offset = r.get("clock_offset", 0)
    # oauthlib reads the clock through its module's `time`: the peer's clock is ours plus the offset.
    endpoint_base.time = types.SimpleNamespace(time=lambda: real_time() + offset)
    headers = r["headers"]
    auth = headers.get("authorization") or headers.get("Authorization") or ""
    try:
        params = {k: unescape(v) for k, v in parse_authorization_header(auth)} if auth.lower().startswith("oauth ") else {}
    except ValueError:
        params = {}
    params.update({k: v for k, v in parse_qsl(urlsplit(r["url"]).query, keep_blank_values=True) if k.startswith("oauth_")})
    key = params.get("oauth_consumer_key")
    if not key or key not in r["consumers"]:
        answer(False, problem="consumer_key_unknown")
        continue
    try:
        timestamp = int(params.get("oauth_timestamp", ""))
    except ValueError:
        answer(False, problem="parameter_rejected")
        continue
    if abs(real_time() + offset - timestamp) > WINDOW_SECONDS:
        answer(False, problem="timestamp_refused")
        continue
    nonce = (key, params.get("oauth_nonce"))
    if nonce in seen_nonces:
        answer(False, problem="nonce_used")
        continue
    try:
        valid, _ = SignatureOnlyEndpoint(Validator(r["consumers"])).validate_request(r["url"], r["method"], r.get("body"), headers)
    except ValueError:
        valid = False
    if not valid:
        answer(False, problem="signature_invalid")
        continue
    seen_nonces.add(nonce)
    query = dict(parse_qsl(urlsplit(r["url"]).query, keep_blank_values=True))
    answer(True, requestor=query.get("xoauth_requestor_id"))
