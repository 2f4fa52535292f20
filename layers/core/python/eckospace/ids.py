"""Ids that sort by creation time, and the sort keys that order items by a time and then an id."""

from __future__ import annotations

import os
import time

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def now_ms() -> int:
    return int(time.time() * 1000)


def new_id(prefix: str, at_ms: int | None = None) -> str:
    """`<prefix>_` and 26 characters: 48 bits of milliseconds then 80 random bits, in Crockford
    base32, so ids sort by creation time."""
    bits = ((at_ms if at_ms is not None else now_ms()) << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[bits & 31])
        bits >>= 5
    return f"{prefix}_{''.join(reversed(chars))}"


def sort_key(ms: int, item_id: str) -> str:
    """`<ms, 13 digits>#<id>`: newest or oldest first as a string, ties broken by the id."""
    return f"{ms:013d}#{item_id}"


def ms_of(item_id: str) -> int | None:
    """When an id `new_id` made was made (its milliseconds); None for a string that is no such id."""
    _, _, chars = item_id.partition("_")
    if len(chars) != 26 or any(char not in _CROCKFORD for char in chars):
        return None
    bits = 0
    for char in chars:
        bits = (bits << 5) | _CROCKFORD.index(char)
    return bits >> 80
