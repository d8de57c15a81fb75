"""python3-requests-oauthlib as a linked application doing the 3-legged dance against Applink Admin,
over real HTTP. Reads one JSON object from stdin:

  {"step": "request-token", "base", "key", "rsa_private_pem", "callback"}
      -> {"oauth_token", "oauth_token_secret", "oauth_callback_confirmed"}
  {"step": "access-token", "base", "key", "rsa_private_pem", "token", "token_secret", "verifier"}
      -> {"oauth_token", "oauth_token_secret"}
  {"step": "call", "base", "key", "rsa_private_pem", "token", "token_secret", "path"}
      -> {"status", "body", "www_authenticate"}

A refused step prints {"error": status, "body", "www_authenticate"} instead.
"""
import json
import sys

from oauthlib.oauth1 import SIGNATURE_RSA
from requests_oauthlib import OAuth1Session
from requests_oauthlib.oauth1_session import TokenRequestDenied

r = json.load(sys.stdin)
session = OAuth1Session(r["key"], signature_method=SIGNATURE_RSA, rsa_key=r["rsa_private_pem"],
                        callback_uri=r.get("callback"), resource_owner_key=r.get("token"),
                        resource_owner_secret=r.get("token_secret"), verifier=r.get("verifier"))
try:
    if r["step"] == "request-token":
        out = session.fetch_request_token(r["base"] + "/plugins/servlet/oauth/request-token")
    elif r["step"] == "access-token":
        out = session.fetch_access_token(r["base"] + "/plugins/servlet/oauth/access-token")
    else:
        response = session.get(r["base"] + r["path"])
        out = {"status": response.status_code, "body": response.text, "www_authenticate": response.headers.get("WWW-Authenticate")}
except TokenRequestDenied as denied:
    out = {"error": denied.status_code, "body": denied.response.text, "www_authenticate": denied.response.headers.get("WWW-Authenticate")}
print(json.dumps(out))
