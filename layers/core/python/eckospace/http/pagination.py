"""Opaque cursor pagination: `limit` and `cursor` in, `next_cursor` out.

A cursor wraps DynamoDB's `LastEvaluatedKey` together with the partition it belongs to, so a
cursor from another listing (or a hand-edited one) is refused with 400 instead of reaching
DynamoDB as a foreign key.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from eckospace.http.problems import BadRequest

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def encode_cursor(last_key: dict[str, Any] | None, *, scope: str) -> str | None:
    if not last_key:
        return None
    raw = json.dumps({"s": scope, "k": last_key}, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, scope: str) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise BadRequest("The cursor is not one this API issued.") from exc
    if not isinstance(payload, dict) or payload.get("s") != scope or not isinstance(payload.get("k"), dict):
        raise BadRequest("The cursor does not belong to this listing.")
    return payload["k"]
