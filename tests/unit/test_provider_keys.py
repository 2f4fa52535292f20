"""The sign-in provider's keys: refetched once for an unknown kid, kept when the provider is down."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from eckospace.identity import google


class Provider:
    """A JWKS endpoint on loopback whose keys and availability a test controls."""

    def __init__(self) -> None:
        self.keys: dict[str, rsa.RSAPrivateKey] = {}
        self.up = True
        self.fetches = 0
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                provider.fetches += 1
                if not provider.up:
                    self.send_error(503)
                    return
                body = json.dumps(
                    {
                        "keys": [
                            {
                                **json.loads(RSAAlgorithm.to_jwk(key.public_key())),
                                "kid": kid,
                                "alg": "RS256",
                                "use": "sig",
                            }
                            for kid, key in provider.keys.items()
                        ]
                    }
                )
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.uri = f"http://127.0.0.1:{self.server.server_port}/jwks"

    def add_key(self, kid: str) -> None:
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def token(self, kid: str) -> str:
        return jwt.encode({"sub": "s"}, self.keys[kid], algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def provider() -> Iterator[Provider]:
    served = Provider()
    thread = threading.Thread(target=served.server.serve_forever, daemon=True)
    thread.start()
    google._jwks_client.cache_clear()
    yield served
    served.server.shutdown()
    google._jwks_client.cache_clear()


def test_an_unknown_kid_fetches_the_keys_once_more(provider, monkeypatch):
    monkeypatch.setattr(google, "KEY_REFETCH_COOLDOWN", 0.0)  # no waiting out the flood guard here
    provider.add_key("k1")
    client = google._jwks_client(provider.uri)
    assert client.get_signing_key_from_jwt(provider.token("k1"))
    provider.add_key("k2")  # the provider rotated
    assert client.get_signing_key_from_jwt(provider.token("k2"))
    assert provider.fetches == 2
    with pytest.raises(jwt.PyJWKClientError):  # a kid the provider never published: one more look, then no
        client.get_signing_key_from_jwt(
            jwt.encode({"sub": "s"}, provider.keys["k1"], algorithm="RS256", headers={"kid": "forged"})
        )
    assert provider.fetches == 3


def test_the_last_good_keys_stay_when_the_provider_is_down(provider):
    provider.add_key("k1")
    client = google._jwks_client(provider.uri)
    assert client.get_signing_key_from_jwt(provider.token("k1"))
    provider.up = False
    assert client.get_signing_keys(refresh=True)  # the refresh failed; the keys it had are served
    assert client.get_signing_key_from_jwt(provider.token("k1"))


def test_no_keys_at_all_is_an_error(provider):
    provider.up = False
    with pytest.raises(jwt.PyJWKClientConnectionError):
        google._jwks_client(provider.uri).get_signing_keys()
