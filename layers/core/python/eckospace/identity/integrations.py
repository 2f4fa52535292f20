"""Integrations: the registered clients of the API (OAuth 2.0 client credentials).

An integration has a client id, one or two hashed secrets (two while a rotation overlaps), the
scopes it may request and those it gets by default, its usage-plan tier and its API key, and
whether it is first-party (the platform's own back end, trusted with users' private wallet and
payment events; third-party integrations never receive those). Secrets
are 256-bit random values, so a SHA-256 digest compared in constant time protects them at rest as
well as a slow password hash would, without costing the token endpoint its latency budget.

Stored in DynamoDB (`ECKO_INTEGRATIONS_TABLE`), one item per client id.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field, replace
from typing import Any

from eckospace import aws
from eckospace.identity import settings

CLIENT_ID_PREFIX = "ekc_"
SECRET_PREFIX = "eks_"  # recognisable by secret scanners
TIERS = ("free", "standard", "partner")


class IntegrationError(Exception):
    """An operator asked for something that cannot be done (unknown client, bad scope, ...)."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class SecretHash:
    digest: str
    created: int
    expires_at: int | None = None  # set when a rotation retires this secret

    def matches(self, secret: str, now: int) -> bool:
        usable = self.expires_at is None or now < self.expires_at
        return hmac.compare_digest(self.digest, _digest(secret)) and usable


@dataclass(frozen=True)
class Integration:
    client_id: str
    name: str
    allowed_scopes: frozenset[str]
    default_scopes: frozenset[str]
    tier: str
    api_key_id: str | None = None
    retiring_api_key_id: str | None = None  # the key a rotation replaced, still working until ...
    retire_api_key_at: int | None = None  # ... this time, when the scheduled retirement disables it
    enabled: bool = True
    first_party: bool = False
    secret_hashes: tuple[SecretHash, ...] = ()
    created: int = field(default_factory=lambda: int(time.time()))

    def authenticates(self, secret: str, *, now: int | None = None) -> bool:
        moment = int(time.time()) if now is None else now
        # Every stored hash is compared, so the time taken says nothing about which one matched.
        results = [stored.matches(secret, moment) for stored in self.secret_hashes]
        return any(results)


def new_client_id() -> str:
    return CLIENT_ID_PREFIX + secrets.token_hex(8)


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


# ---------------------------------------------------------------------------- storage


def _table() -> str:
    return settings.INTEGRATIONS_TABLE()


def _to_item(integration: Integration) -> dict[str, Any]:
    item: dict[str, Any] = {
        "client_id": {"S": integration.client_id},
        "name": {"S": integration.name},
        "allowed_scopes": {"L": [{"S": s} for s in sorted(integration.allowed_scopes)]},
        "default_scopes": {"L": [{"S": s} for s in sorted(integration.default_scopes)]},
        "tier": {"S": integration.tier},
        "status": {"S": "active" if integration.enabled else "disabled"},
        "first_party": {"BOOL": integration.first_party},
        "created": {"N": str(integration.created)},
        "secrets": {
            "L": [
                {
                    "M": {
                        "digest": {"S": s.digest},
                        "created": {"N": str(s.created)},
                        **({"expires_at": {"N": str(s.expires_at)}} if s.expires_at else {}),
                    }
                }
                for s in integration.secret_hashes
            ]
        },
    }
    if integration.api_key_id:
        item["api_key_id"] = {"S": integration.api_key_id}
    if integration.retiring_api_key_id and integration.retire_api_key_at:
        item["retiring_api_key_id"] = {"S": integration.retiring_api_key_id}
        item["retire_api_key_at"] = {"N": str(integration.retire_api_key_at)}
    return item


def _from_item(item: dict[str, Any]) -> Integration:
    return Integration(
        client_id=item["client_id"]["S"],
        name=item["name"]["S"],
        allowed_scopes=frozenset(s["S"] for s in item["allowed_scopes"]["L"]),
        default_scopes=frozenset(s["S"] for s in item["default_scopes"]["L"]),
        tier=item["tier"]["S"],
        api_key_id=item.get("api_key_id", {}).get("S"),
        retiring_api_key_id=item.get("retiring_api_key_id", {}).get("S"),
        retire_api_key_at=int(item["retire_api_key_at"]["N"]) if "retire_api_key_at" in item else None,
        enabled=item["status"]["S"] == "active",
        first_party=item.get("first_party", {}).get("BOOL", False),
        created=int(item["created"]["N"]),
        secret_hashes=tuple(
            SecretHash(
                digest=s["M"]["digest"]["S"],
                created=int(s["M"]["created"]["N"]),
                expires_at=int(s["M"]["expires_at"]["N"]) if "expires_at" in s["M"] else None,
            )
            for s in item["secrets"]["L"]
        ),
    )


def get(client_id: str) -> Integration | None:
    found = aws.client("dynamodb").get_item(TableName=_table(), Key={"client_id": {"S": client_id}})
    return _from_item(found["Item"]) if "Item" in found else None


def list_all() -> list[Integration]:
    pages = aws.client("dynamodb").get_paginator("scan").paginate(TableName=_table())
    return [_from_item(item) for page in pages for item in page.get("Items", [])]


def save(integration: Integration, *, new: bool = False) -> None:
    options = {"ConditionExpression": "attribute_not_exists(client_id)"} if new else {}
    aws.client("dynamodb").put_item(TableName=_table(), Item=_to_item(integration), **options)


# ---------------------------------------------------------------------------- operations


def register(
    *,
    name: str,
    allowed_scopes: set[str],
    default_scopes: set[str],
    tier: str,
    api_key_id: str | None,
    client_id: str | None = None,
    secret: str | None = None,
    first_party: bool = False,
) -> tuple[Integration, str]:
    """A new integration and its secret (shown once, stored only as a hash)."""
    from eckospace.identity.scopes import unknown_scopes

    if tier not in TIERS:
        raise IntegrationError(f"tier must be one of {', '.join(TIERS)}")
    if unknown := unknown_scopes(allowed_scopes | default_scopes):
        raise IntegrationError(f"unknown scopes: {' '.join(unknown)}")
    if not default_scopes <= allowed_scopes:
        raise IntegrationError("default scopes must be among the allowed scopes")
    secret = secret or new_secret()
    integration = Integration(
        client_id=client_id or new_client_id(),
        name=name,
        allowed_scopes=frozenset(allowed_scopes),
        default_scopes=frozenset(default_scopes),
        tier=tier,
        api_key_id=api_key_id,
        first_party=first_party,
        secret_hashes=(SecretHash(digest=_digest(secret), created=int(time.time())),),
    )
    save(integration, new=True)
    return integration, secret


def rotate_secret(client_id: str, *, overlap_seconds: int) -> tuple[Integration, str]:
    """Add a new secret; the current ones stop working `overlap_seconds` from now."""
    integration = _existing(client_id)
    now = int(time.time())
    kept = tuple(
        replace(s, expires_at=min(s.expires_at or now + overlap_seconds, now + overlap_seconds))
        for s in integration.secret_hashes
        if s.expires_at is None or s.expires_at > now
    )
    secret = new_secret()
    rotated = replace(integration, secret_hashes=(*kept, SecretHash(digest=_digest(secret), created=now)))
    save(rotated)
    return rotated, secret


def rotate_api_key(client_id: str, *, new_key_id: str, overlap_seconds: int) -> Integration:
    """Put the integration on its new key; the old one is retired `overlap_seconds` from now (by
    `retire_due_api_keys`, which runs on a schedule)."""
    integration = _existing(client_id)
    if integration.retiring_api_key_id:
        raise IntegrationError(f"{client_id} is still retiring key {integration.retiring_api_key_id}")
    rotated = replace(
        integration,
        api_key_id=new_key_id,
        retiring_api_key_id=integration.api_key_id,
        retire_api_key_at=int(time.time()) + overlap_seconds,
    )
    save(rotated)
    return rotated


def retire_due_api_keys(disable_key: Any, *, now: int | None = None) -> list[str]:
    """Disable every rotated-out API key whose overlap has ended; the ids of the keys disabled."""
    moment = int(time.time()) if now is None else now
    retired = []
    for integration in list_all():
        if integration.retiring_api_key_id and (integration.retire_api_key_at or 0) <= moment:
            disable_key(integration.retiring_api_key_id)
            save(replace(integration, retiring_api_key_id=None, retire_api_key_at=None))
            retired.append(integration.retiring_api_key_id)
    return retired


def set_enabled(client_id: str, enabled: bool) -> Integration:
    integration = replace(_existing(client_id), enabled=enabled)
    save(integration)
    return integration


def set_first_party(client_id: str, first_party: bool) -> Integration:
    """Trust an integration with users' wallet and payment events, or stop: the dispatcher reads
    the flag on every event, so the change takes effect with the next one."""
    integration = replace(_existing(client_id), first_party=first_party)
    save(integration)
    return integration


def _existing(client_id: str) -> Integration:
    integration = get(client_id)
    if integration is None:
        raise IntegrationError(f"no integration {client_id}")
    return integration
