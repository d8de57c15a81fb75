"""The RequestValidator both python3-oauthlib test peers use (see INTEROP-NOTES.md for why each
setting is what it is): plain http on loopback, keys such as "applink-admin:…", 20–30 character
alphanumeric nonces, RSA public keys and token secrets from a config dict."""
from oauthlib.oauth1 import RequestValidator


class Validator(RequestValidator):
    enforce_ssl = False

    def __init__(self, consumers, tokens=None):
        super().__init__()
        self.consumers = consumers
        self.tokens = tokens if tokens is not None else {}

    def check_client_key(self, client_key):
        return True

    def check_nonce(self, nonce):
        return 20 <= len(nonce) <= 30 and nonce.isalnum()

    def check_access_token(self, token):
        return True

    @property
    def dummy_client(self):
        return "dummy-client"

    @property
    def dummy_access_token(self):
        return "dummy-token"

    def validate_client_key(self, client_key, request):
        return client_key in self.consumers

    def validate_timestamp_and_nonce(self, client_key, timestamp, nonce, request, request_token=None, access_token=None):
        return True

    def get_rsa_key(self, client_key, request):
        return self.consumers.get(client_key, {}).get("rsa_public_pem", "")

    def get_client_secret(self, client_key, request):
        return self.consumers.get(client_key, {}).get("secret", "dummy")

    def validate_access_token(self, client_key, token, request):
        return token in self.tokens

    def get_access_token_secret(self, client_key, token, request):
        return self.tokens.get(token, "dummy")

    def validate_realms(self, client_key, token, request, uri=None, realms=None):
        return True
