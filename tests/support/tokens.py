"""Tokens for tests: real ones signed with the stack's keys, and hostile variants."""

from __future__ import annotations

import base64
import json
from typing import Any

from eckospace.identity.keys import KeyRing
from eckospace.identity.keystore import load_keyring
from eckospace.identity.tokens import mint_access_token

ISSUER = "https://api.eckospace.local"
AUDIENCE = "eckospace-api"


def stack_keyring(secretsmanager: Any, env: str = "dev") -> KeyRing:
    ring = load_keyring(f"eckospace/{env}/signing-keys", secretsmanager=secretsmanager)
    assert ring is not None, "the local stack seeds a signing key ring"
    return ring


def mint(ring: KeyRing, scopes: list[str], **overrides: Any) -> str:
    options: dict[str, Any] = {"subject": "user-1", "issuer": ISSUER, "audience": AUDIENCE, "token_use": "user"}
    options.update(overrides)
    return mint_access_token(ring.active, scopes=scopes, **options)


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def unsigned(claims: dict[str, Any], kid: str) -> str:
    """An `alg: none` token (must never be accepted)."""
    return f"{_b64({'alg': 'none', 'typ': 'at+jwt', 'kid': kid})}.{_b64(claims)}."


def tampered(token: str, **claim_changes: Any) -> str:
    """The same signature over changed claims."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(claim_changes)
    return f"{header}.{_b64(claims)}.{signature}"
