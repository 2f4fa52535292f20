"""Opaque cursor pagination: a listing's page after a `cursor`, and the `next_cursor` after it.

One codec for every listing. A cursor carries DynamoDB's `LastEvaluatedKey`, when it expires and
the id of the key that signed it, with an HMAC-SHA256 over all of that and over the listing and
its scope (the owner and the query it pages: a user and a currency, an endpoint and a status
filter, a hashtag). So an edited cursor, one from another listing or another caller, one past its
expiry or one signed with a key we no longer hold is `InvalidInput`, and no key we did not hand out
ever reaches DynamoDB.

The keys are a key ring (`eckospace.keyrings`) in a Secrets Manager secret
(`ECKO_CURSOR_KEYS_SECRET`): the active key signs, every key listed verifies, so cursors signed
before a rotation keep working while the previous key stays in it (`infra/scripts/key_rings.py
rotate cursor-keys`). A cursor naming a key this sandbox does not know makes it read the secret again, so a
sandbox that cached the ring before a rotation learns the new key from the first cursor it sees.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

from eckospace.config import Setting, text
from eckospace.errors import InvalidInput
from eckospace.keyrings import KEY_ID, KeyRing, current_ring

DEFAULT_LIMIT = 20
MAX_LIMIT = 100

KEYS_SECRET = Setting("ECKO_CURSOR_KEYS_SECRET", text)  # a Secrets Manager secret
CURSOR_SECONDS = 24 * 3600  # how long a cursor may be used; rotate keys no more often than this


class CursorKeys(KeyRing):
    """The keys that sign cursors (`infra/scripts/key_rings.py rotate cursor-keys`)."""

    kid_prefix = "c"


def current_keys(*, refresh: bool = False) -> CursorKeys:
    return current_ring(CursorKeys, KEYS_SECRET(), refresh=refresh)


# ------------------------------------------------------------------------------ the codec
def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _canonical(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=True).encode()


def _signature(
    secret: str, *, listing: str, scope: Sequence[str], kid: str, expires: int, key: Mapping[str, Any]
) -> str:
    message = _canonical(["eckospace-cursor-v1", listing, list(scope), kid, expires, key])
    return _b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest())


def _scope(scope: str | Sequence[str]) -> list[str]:
    return [scope] if isinstance(scope, str) else [str(part) for part in scope]


def encode_cursor(
    last_key: Mapping[str, Any] | None,
    *,
    listing: str,
    scope: str | Sequence[str] = (),
    keys: CursorKeys | None = None,
    now: float | None = None,
) -> str | None:
    """The cursor for the page after `last_key` (None on the last page) of `listing` for `scope`."""
    if not last_key:
        return None
    keys = keys or current_keys()
    expires = int(now if now is not None else time.time()) + CURSOR_SECONDS
    signature = _signature(
        keys.keys[keys.active], listing=listing, scope=_scope(scope), kid=keys.active, expires=expires, key=last_key
    )
    return _b64encode(_canonical({"kid": keys.active, "exp": expires, "k": last_key, "sig": signature}))


def _refused(detail: str) -> InvalidInput:
    return InvalidInput(detail, errors=[{"in": "query", "name": "cursor", "detail": detail}])


def decode_cursor(
    cursor: str | None,
    *,
    listing: str,
    scope: str | Sequence[str] = (),
    keys: CursorKeys | None = None,
    now: float | None = None,
) -> dict[str, Any] | None:
    """The ExclusiveStartKey inside a cursor this listing issued for this scope; `InvalidInput` otherwise."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        raise _refused("The cursor is not one this API issued.") from None
    if (
        not isinstance(payload, dict)
        or set(payload) != {"kid", "exp", "k", "sig"}
        or not isinstance(payload["kid"], str)
        or not KEY_ID.match(payload["kid"])
        or type(payload["exp"]) is not int
        or not isinstance(payload["k"], dict)
        or not payload["k"]
        or not isinstance(payload["sig"], str)
    ):
        raise _refused("The cursor is not one this API issued.")
    held = keys or current_keys()
    if payload["kid"] not in held.keys and keys is None:
        held = current_keys(refresh=True)  # signed with a key published since this sandbox read them
    secret = held.keys.get(payload["kid"])
    if secret is None:
        raise _refused("The cursor is not one this API issued, or its key has been retired.")
    expected = _signature(
        secret, listing=listing, scope=_scope(scope), kid=payload["kid"], expires=payload["exp"], key=payload["k"]
    )
    if not hmac.compare_digest(expected, payload["sig"]):
        raise _refused("The cursor was not issued for this listing, or it was altered.")
    if payload["exp"] <= (now if now is not None else time.time()):
        raise _refused("The cursor has expired; start again from the first page.")
    return payload["k"]
