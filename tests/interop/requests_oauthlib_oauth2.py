"""python3-requests-oauthlib's OAuth2Session as an external application using Applink Admin as its
OAuth 2.0 authorization server, over real HTTP. Reads one JSON object from stdin:

  {"step": "metadata", "base"} -> the RFC 8414 document, fetched and parsed
  {"step": "authorize-url", "authorize_url", "client_id", "redirect_uri", "scope"}
      -> {"url", "state", "verifier"}   (PKCE S256 from oauthlib's own verifier and challenge)
  {"step": "token", "token_url", "client_id", "client_secret", "redirect_uri", "authorization_response",
   "state", "verifier", "auth": "basic" | "post"} -> the token answer
  {"step": "call", "url", "method", "token": {...}, "data"?} -> {"status", "body", "www_authenticate"}
  {"step": "refresh", "token_url", "client_id", "client_secret", "refresh_token"} -> the token answer
  {"step": "revoke", "revoke_url", "client_id", "client_secret", "token", "hint"} -> {"status", "body"}

A refused step prints {"error": status or oauthlib's error name, "body", "description"} instead.
"""
import json
import os
import sys

# This test talks to 127.0.0.1 over http; oauthlib insists on https unless told otherwise.
os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"

import requests
from oauthlib.oauth2 import WebApplicationClient
from oauthlib.oauth2.rfc6749.errors import OAuth2Error
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session

r = json.load(sys.stdin)
step = r["step"]
try:
    if step == "metadata":
        response = requests.get(r["base"] + "/.well-known/oauth-authorization-server", timeout=10)
        out = {"status": response.status_code, "body": response.json()}
    elif step == "authorize-url":
        client = WebApplicationClient(r["client_id"])
        verifier = client.create_code_verifier(64)
        challenge = client.create_code_challenge(verifier, "S256")
        session = OAuth2Session(client=client, redirect_uri=r["redirect_uri"], scope=r.get("scope"))
        url, state = session.authorization_url(r["authorize_url"], code_challenge=challenge, code_challenge_method="S256")
        out = {"url": url, "state": state, "verifier": verifier}
    elif step == "token":
        session = OAuth2Session(r["client_id"], redirect_uri=r["redirect_uri"], state=r["state"])
        kwargs = {"authorization_response": r["authorization_response"]}
        if r.get("verifier") is not None:
            kwargs["code_verifier"] = r["verifier"]
        if r.get("auth") == "post":
            kwargs.update(include_client_id=True, client_secret=r["client_secret"])
        else:
            kwargs["auth"] = HTTPBasicAuth(r["client_id"], r["client_secret"])
        out = session.fetch_token(r["token_url"], **kwargs)
    elif step == "call":
        session = OAuth2Session(r.get("client_id"), token=r["token"])
        response = session.request(r.get("method", "GET"), r["url"], data=r.get("data"))
        out = {"status": response.status_code, "body": response.text, "www_authenticate": response.headers.get("WWW-Authenticate")}
    elif step == "refresh":
        session = OAuth2Session(r["client_id"], token={"refresh_token": r["refresh_token"], "token_type": "Bearer", "access_token": "unused"})
        out = session.refresh_token(r["token_url"], auth=HTTPBasicAuth(r["client_id"], r["client_secret"]))
    elif step == "revoke":
        response = requests.post(r["revoke_url"], data={"token": r["token"], "token_type_hint": r.get("hint", "refresh_token")},
                                 auth=HTTPBasicAuth(r["client_id"], r["client_secret"]), timeout=10)
        out = {"status": response.status_code, "body": response.text}
    else:
        raise SystemExit("unknown step " + step)
except OAuth2Error as refused:
    out = {"error": refused.error, "description": refused.description, "status": refused.status_code}
print(json.dumps(out))
