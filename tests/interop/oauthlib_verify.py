"""An independent OAuth 1.0a provider: python3-oauthlib verifies requests signed by Applink Admin.

Reads JSON from stdin: {"consumers": {key: {"rsa_public_pem"?: str, "secret"?: str}},
"tokens": {token: secret}, "requests": [{"method", "url", "headers", "body"}]}
and prints one JSON result per request: {"valid": bool, "requestor": str|null}.
Run with /usr/bin/python3 (Debian's python3-oauthlib).
"""
import json
import sys
from urllib.parse import parse_qsl, urlsplit

from oauthlib.oauth1 import ResourceEndpoint, SignatureOnlyEndpoint

from oauthlib_validator import Validator

spec = json.load(sys.stdin)
CONSUMERS = spec["consumers"]
TOKENS = spec.get("tokens", {})


validator = Validator(CONSUMERS, TOKENS)
results = []
for r in spec["requests"]:
    headers = r["headers"]
    auth = headers.get("Authorization") or headers.get("authorization") or ""
    try:
        if 'oauth_token="' in auth:
            valid, _ = ResourceEndpoint(validator).validate_protected_resource_request(r["url"], r["method"], r.get("body"), headers)
        else:
            valid, _ = SignatureOnlyEndpoint(validator).validate_request(r["url"], r["method"], r.get("body"), headers)
    except ValueError as error:  # oauthlib raises for some malformed input instead of answering False
        results.append({"valid": False, "error": str(error)})
        continue
    query = dict(parse_qsl(urlsplit(r["url"]).query, keep_blank_values=True))
    results.append({"valid": bool(valid), "requestor": query.get("xoauth_requestor_id")})
print(json.dumps(results))
