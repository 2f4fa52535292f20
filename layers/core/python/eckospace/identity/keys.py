"""Platform signing keys (ES256) and the public JWKS derived from them.

The private keys live in Secrets Manager as one JSON document:
`{"active_kid": "...", "keys": [{"kid", "alg", "private_key_pem", "created"}]}`, oldest first.
The public half is published separately (an SSM parameter holding the JWKS), so the authorizer
can verify tokens without any access to private key material.

A ring holds the previous key (its tokens are still live), the active one, and the next one: the
next key is published a whole rotation before it signs anything, so no verifier ever meets a
token whose key it has not had the chance to cache.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

ALGORITHM = "ES256"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key_pem: str
    created: int
    alg: str = ALGORITHM

    def public_jwk(self) -> dict[str, Any]:
        from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey
        from cryptography.hazmat.primitives.serialization import load_pem_private_key
        from jwt.algorithms import ECAlgorithm

        private_key = load_pem_private_key(self.private_key_pem.encode(), password=None)
        if not isinstance(private_key, EllipticCurvePrivateKey):
            raise TypeError(f"signing key {self.kid} is not an EC key")
        jwk = json.loads(ECAlgorithm.to_jwk(private_key.public_key()))
        return {**jwk, "kid": self.kid, "alg": self.alg, "use": "sig"}


def generate_signing_key() -> SigningKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    private_key = ec.generate_private_key(ec.SECP256R1())
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    created = int(time.time())
    return SigningKey(kid=f"k{created}-{secrets.token_hex(4)}", private_key_pem=pem, created=created)


@dataclass(frozen=True)
class KeyRing:
    active_kid: str
    keys: tuple[SigningKey, ...]

    @property
    def active(self) -> SigningKey:
        return next(key for key in self.keys if key.kid == self.active_kid)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [key.public_jwk() for key in self.keys]}

    def to_json(self) -> str:
        return json.dumps(
            {
                "active_kid": self.active_kid,
                "keys": [
                    {"kid": k.kid, "alg": k.alg, "private_key_pem": k.private_key_pem, "created": k.created}
                    for k in self.keys
                ],
            }
        )

    @classmethod
    def from_json(cls, document: str | dict[str, Any]) -> KeyRing:
        data = json.loads(document) if isinstance(document, str) else document
        keys = tuple(
            SigningKey(
                kid=k["kid"],
                private_key_pem=k["private_key_pem"],
                created=int(k["created"]),
                alg=k.get("alg", ALGORITHM),
            )
            for k in data["keys"]
        )
        return cls(active_kid=data["active_kid"], keys=keys)

    @classmethod
    def new(cls) -> KeyRing:
        active, upcoming = generate_signing_key(), generate_signing_key()
        return cls(active_kid=active.kid, keys=(active, upcoming))

    def rotated(self) -> KeyRing:
        """The next key signs from now on, the active one stays to verify its tokens, a fresh next
        key is published, and anything older is dropped."""
        position = next(i for i, key in enumerate(self.keys) if key.kid == self.active_kid)
        upcoming = self.keys[position + 1] if position + 1 < len(self.keys) else generate_signing_key()
        return KeyRing(active_kid=upcoming.kid, keys=(self.active, upcoming, generate_signing_key()))
