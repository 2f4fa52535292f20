"""Ids that sort by creation time, and the sort keys that order items by time."""

from __future__ import annotations

import os

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def new_id(prefix: str, at_ms: int) -> str:
    """`<prefix>_` and 26 characters: 48 bits of milliseconds then 80 random bits, in Crockford
    base32, so ids sort by creation time."""
    bits = (at_ms << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[bits & 31])
        bits >>= 5
    return f"{prefix}_{''.join(reversed(chars))}"


def sort_key(ms: int, item_id: str) -> str:
    return f"{ms:013d}#{item_id}"
