"""Pseudonyms: no person's id is stored by analytics, only keyed hashes of it.

A person's pseudonym is an HMAC of their id under a key of the day (itself an HMAC of the secret
key and the UTC date), so it is stable within a UTC day (exact distinct counts per hour and per
day) and unlinkable across days, even by someone who reads the raw events. The secret is a key
ring (`infra/scripts/key_rings.py rotate analytics-visitor-keys`); only its active key is used, so a
rotation starts new pseudonyms, and a person active across it counts twice that day.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from eckospace.analytics import settings
from eckospace.keyrings import KeyRing, current_ring


class VisitorKeys(KeyRing):
    kid_prefix = "v"


def _secret() -> bytes:
    return current_ring(VisitorKeys, settings.VISITOR_KEYS_SECRET()).signing.encode()


def _mac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:32]


@lru_cache(maxsize=8)
def _day_key(secret: bytes, day: str) -> bytes:
    return hmac.new(secret, f"day|{day}".encode(), hashlib.sha256).digest()


def pseudonym(person: str, day: str) -> str:
    """The person's pseudonym on a UTC day (`YYYY-MM-DD`)."""
    return _mac(_day_key(_secret(), day), person)


def event_key(person: str, client_id: str) -> str:
    """The key that makes a person's event with this client id count once."""
    return _mac(_secret(), f"event|{person}|{client_id}")
