"""Where the signing keys live: the private KeyRing in Secrets Manager, its public JWKS in SSM.

Used by operator commands (initialise, rotate) and by the local stack's seeding; functions that
mint tokens read the ring through `load_keyring`.
"""

from __future__ import annotations

import json
from typing import Any

from eckospace import aws
from eckospace.identity.keys import KeyRing


def load_keyring(secret_id: str, *, secretsmanager: Any = None) -> KeyRing | None:
    client = secretsmanager or aws.client("secretsmanager")
    try:
        value = client.get_secret_value(SecretId=secret_id)["SecretString"]
    except client.exceptions.ResourceNotFoundException:
        return None
    try:
        return KeyRing.from_json(value)
    except (ValueError, KeyError, TypeError):
        return None  # a placeholder value (freshly deployed secret), not a key ring yet


def save_keyring(
    ring: KeyRing, *, secret_id: str, jwks_parameter: str, secretsmanager: Any = None, ssm: Any = None
) -> None:
    """Publish the public keys first, then switch the signing secret: a token signed with a new key
    must never reach a verifier that cannot know that key yet."""
    (ssm or aws.client("ssm")).put_parameter(
        Name=jwks_parameter,
        Value=json.dumps(ring.jwks(), separators=(",", ":")),
        Type="String",
        Overwrite=True,
    )
    client = secretsmanager or aws.client("secretsmanager")
    try:
        client.put_secret_value(SecretId=secret_id, SecretString=ring.to_json())
    except client.exceptions.ResourceNotFoundException:
        client.create_secret(Name=secret_id, SecretString=ring.to_json())
