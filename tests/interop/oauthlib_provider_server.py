"""A small HTTP service protected by python3-oauthlib: the independent OAuth 1.0a provider the
signed proxy is tested against. Every request is verified (2LO, impersonation, 3LO tokens) and
oauth_body_hash is checked against the raw body (oauthlib signs it but does not check it).

Usage: /usr/bin/python3 oauthlib_provider_server.py CONFIG_JSON
CONFIG_JSON: {"consumers": {key: {"rsa_public_pem": str}}, "tokens": {token: secret}}
Prints "PORT <n>" once listening. Answers JSON describing what it received.
"""
import base64
import hashlib
import json
import secrets
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from oauthlib.oauth1 import ResourceEndpoint, SignatureOnlyEndpoint

from oauthlib_validator import Validator

CONFIG = json.loads(sys.argv[1])


ACCESS_TOKENS = CONFIG.setdefault("tokens", {})
VALIDATOR = Validator(CONFIG["consumers"], ACCESS_TOKENS)
# 3-legged dance state: request token -> {"secret", "callback", "verifier", "user"}
REQUEST_TOKENS = {}
USERS_BY_ACCESS_TOKEN = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = urlsplit(self.path).path
        if path.endswith("/slow"):
            time.sleep(3)
        if path.endswith("/redirect-away"):
            return self.reply(302, {"moved": True}, extra={"Location": "http://127.0.0.2:9/elsewhere"})
        uri = "http://%s%s" % (self.headers["Host"], self.path)
        headers = {k: v for k, v in self.headers.items()}
        if path.endswith("/plugins/servlet/oauth/authorize"):
            return self.authorize()
        if path.endswith("/revoke-all"):
            ACCESS_TOKENS.clear()
            return self.reply(200, {"revoked": True})
        auth = self.headers.get("Authorization", "")  # case-insensitive: undici sends "authorization"
        # oauthlib reads form parameters from the body; any other body is covered by oauth_body_hash.
        is_form = (self.headers.get("Content-Type") or "").startswith("application/x-www-form-urlencoded")
        text_body = body.decode("utf-8") if body and is_form else None
        try:
            if 'oauth_token="' in auth:
                valid, req = ResourceEndpoint(VALIDATOR).validate_protected_resource_request(uri, self.command, text_body, headers)
            else:
                valid, req = SignatureOnlyEndpoint(VALIDATOR).validate_request(uri, self.command, text_body, headers)
        except ValueError as error:
            valid, req = False, None
        params = dict(req.params) if req is not None else {}
        if not valid and 'oauth_token="' in auth and path.endswith("/request-token") is False:
            token = dict(p.split("=", 1) for p in auth[6:].replace('"', "").split(", ") if "=" in p).get("oauth_token")
            if token and token not in ACCESS_TOKENS and token not in REQUEST_TOKENS:
                return self.reply(401, {"valid": False}, extra={"WWW-Authenticate": 'OAuth realm="fixture", oauth_problem="token_rejected"'})
        if path.endswith("/plugins/servlet/oauth/request-token") or path.endswith("/plugins/servlet/oauth/access-token"):
            return self.token_step(path, auth, uri, text_body, headers)
        body_hash = params.get("oauth_body_hash")
        if valid and body_hash is not None:
            valid = body_hash == base64.b64encode(hashlib.sha1(body).digest()).decode()
        if not valid:
            return self.reply(401, {"valid": False}, extra={"WWW-Authenticate": 'OAuth realm="fixture", oauth_problem="signature_invalid"'})
        query = parse_qsl(urlsplit(self.path).query, keep_blank_values=True)
        self.reply(200, {
            "valid": True,
            "method": self.command,
            "path": path,
            "rawQuery": urlsplit(self.path).query,
            "query": query,
            "requestor": dict(query).get("xoauth_requestor_id"),
            "consumerKey": params.get("oauth_consumer_key"),
            "token": params.get("oauth_token"),
            "remoteUser": USERS_BY_ACCESS_TOKEN.get(params.get("oauth_token")),
            "bodyLength": len(body),
            "bodySha1": hashlib.sha1(body).hexdigest(),
            "bodyHashChecked": body_hash is not None,
            "sawCookie": "Cookie" in self.headers,
            "sawConnectionHeader": self.headers.get("Connection", "").lower() not in ("", "keep-alive", "close"),
            "contentType": self.headers.get("Content-Type"),
        }, extra={"Set-Cookie": "remote-session=secret; Path=/"})

    def token_step(self, path, auth, uri, text_body, headers):
        # Only the signature is oauthlib's to check here (RSA-SHA1 needs no token secret); the
        # token bookkeeping of the dance is this fixture's.
        valid, req = SignatureOnlyEndpoint(VALIDATOR).validate_request(uri, self.command, text_body, headers)
        if not valid:
            return self.reply(401, {"valid": False}, extra={"WWW-Authenticate": 'OAuth realm="fixture", oauth_problem="signature_invalid"'})
        params = dict(req.params)
        if path.endswith("request-token"):
            token, secret = secrets.token_hex(10), secrets.token_hex(10)
            REQUEST_TOKENS[token] = {"secret": secret, "callback": params.get("oauth_callback"), "verifier": None, "user": None}
            return self.reply_form({"oauth_token": token, "oauth_token_secret": secret, "oauth_callback_confirmed": "true"})
        pending = REQUEST_TOKENS.pop(params.get("oauth_token"), None)
        if not pending or not pending["verifier"] or pending["verifier"] != params.get("oauth_verifier"):
            return self.reply(401, {"valid": False}, extra={"WWW-Authenticate": 'OAuth realm="fixture", oauth_problem="token_rejected"'})
        token, secret = secrets.token_hex(12), secrets.token_hex(12)
        ACCESS_TOKENS[token] = secret
        USERS_BY_ACCESS_TOKEN[token] = pending["user"]
        return self.reply_form({"oauth_token": token, "oauth_token_secret": secret})

    def authorize(self):
        # The person consents at once (as ?user=NAME, default "remote-user") unless ?deny=1.
        query = dict(parse_qsl(urlsplit(self.path).query))
        pending = REQUEST_TOKENS.get(query.get("oauth_token"))
        if not pending:
            return self.reply(400, {"error": "unknown request token"})
        if query.get("deny"):
            location = "%s%soauth_problem=user_refused" % (pending["callback"], "&" if "?" in pending["callback"] else "?")
        else:
            pending["verifier"] = secrets.token_hex(8)
            pending["user"] = query.get("user", "remote-user")
            location = "%s%soauth_token=%s&oauth_verifier=%s" % (pending["callback"], "&" if "?" in pending["callback"] else "?", query["oauth_token"], pending["verifier"])
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def reply_form(self, fields):
        data = "&".join("%s=%s" % (k, v) for k, v in fields.items()).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-www-form-urlencoded")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def reply(self, status, payload, extra=None):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print("PORT %d" % server.server_address[1], flush=True)
server.serve_forever()
