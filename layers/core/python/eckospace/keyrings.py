"""Secret key rings kept in Secrets Manager: `{"active": "<id>", "<id>": "<secret>", ...}`.

The active secret signs; every secret listed verifies. A rotation adds a fresh secret, makes it
active and keeps the one it replaces, so what was signed before keeps verifying while the previous
secret stays listed. Rings are read through Powertools' parameters utility and cached for five
minutes; `refresh` reads the secret again (at most every few seconds), for a sandbox that meets a
key id it does not know, which was added since it last read the ring.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar, TypeVar

CACHE_SECONDS = 300
REFRESH_AT_MOST_EVERY_SECONDS = 5.0
_ACTIVE = "active"
KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_MIN_SECRET_LENGTH = 32


class KeyRingUnusable(RuntimeError):
    """The secret does not hold a usable key ring (a deployment fault)."""


R = TypeVar("R", bound="KeyRing")


@dataclass(frozen=True)
class KeyRing:
    """The signing secret (`active`) and every secret that still verifies, by key id."""

    active: str
    keys: Mapping[str, str]
    kid_prefix: ClassVar[str] = "k"

    @classmethod
    def from_document(cls: type[R], document: str | Mapping[str, Any]) -> R:
        try:
            data = json.loads(document) if isinstance(document, str) else document
        except ValueError:
            data = None
        if not isinstance(data, Mapping) or not isinstance(data.get(_ACTIVE), str):
            raise KeyRingUnusable(f"the secret is not a key ring for {cls.__name__}")
        active = data[_ACTIVE]
        keys = {kid: value for kid, value in data.items() if kid != _ACTIVE}
        if (
            active not in keys
            or not all(KEY_ID.match(kid) for kid in keys)
            or not all(isinstance(v, str) and len(v) >= _MIN_SECRET_LENGTH for v in keys.values())
        ):
            raise KeyRingUnusable(f"the {cls.__name__} secret names no usable active key")
        return cls(active=active, keys=keys)

    def document(self) -> dict[str, str]:
        return {_ACTIVE: self.active, **self.keys}

    @property
    def signing(self) -> str:
        return self.keys[self.active]

    @classmethod
    def new(cls: type[R], *, now: float | None = None) -> R:
        kid = cls._new_kid(now)
        return cls(active=kid, keys={kid: secrets.token_urlsafe(48)})

    def rotated(self: R, *, now: float | None = None) -> R:
        """A fresh secret signs from now on; the active one keeps verifying what it signed;
        anything older is dropped."""
        kid = self._new_kid(now)
        return type(self)(active=kid, keys={self.active: self.signing, kid: secrets.token_urlsafe(48)})

    @classmethod
    def _new_kid(cls, now: float | None) -> str:
        return f"{cls.kid_prefix}{int(now if now is not None else time.time())}-{secrets.token_hex(3)}"


_lock = threading.Lock()
_last_refresh: dict[str, float] = {}


@cache
def _provider() -> Any:
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    from eckospace import aws

    return SecretsProvider(boto3_client=aws.client("secretsmanager"))


def current_ring(ring: type[R], secret_id: str, *, refresh: bool = False) -> R:
    """The ring in a secret (cached); `refresh` reads it again unless that happened moments ago."""
    force = False
    if refresh:
        with _lock:
            if time.monotonic() - _last_refresh.get(secret_id, 0.0) >= REFRESH_AT_MOST_EVERY_SECONDS:
                _last_refresh[secret_id], force = time.monotonic(), True
    document = _provider().get(secret_id, max_age=CACHE_SECONDS, force_fetch=force)
    return ring.from_document(document)
