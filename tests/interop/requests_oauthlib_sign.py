"""An independent OAuth 1.0a consumer: python3-requests-oauthlib signs requests for Applink Admin to verify.

Reads a JSON list from stdin, each {"method", "url", "headers", "body", "key", "rsa_private_pem"? |
"secret"?, "token"?, "token_secret"?, "body_hash"?: bool, "timestamp"?: str}, and prints the prepared requests as
[{"method", "url", "headers", "body"}] without sending anything.
"""
import json
import sys

import requests
from oauthlib.oauth1 import SIGNATURE_HMAC, SIGNATURE_RSA
from requests_oauthlib import OAuth1

out = []
for r in json.load(sys.stdin):
    extra = {"timestamp": r["timestamp"]} if r.get("timestamp") else {}
    if r.get("rsa_private_pem"):
        auth = OAuth1(r["key"], signature_method=SIGNATURE_RSA, rsa_key=r["rsa_private_pem"],
                      resource_owner_key=r.get("token"), resource_owner_secret=r.get("token_secret"),
                      force_include_body=r.get("body_hash", False), **extra)
    else:
        auth = OAuth1(r["key"], client_secret=r["secret"], signature_method=SIGNATURE_HMAC,
                      resource_owner_key=r.get("token"), resource_owner_secret=r.get("token_secret"),
                      force_include_body=r.get("body_hash", False))
    body = r.get("body")
    prepared = requests.Request(r["method"], r["url"], headers=r.get("headers", {}), data=body.encode("utf-8") if isinstance(body, str) else None).prepare()
    signed = auth(prepared)
    headers = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in signed.headers.items()}
    sent = signed.body.decode("utf-8") if isinstance(signed.body, bytes) else signed.body
    out.append({"method": signed.method, "url": signed.url, "headers": headers, "body": sent})
print(json.dumps(out))
