"""Conditional GET (RFC 9110 §13): If-None-Match."""

from __future__ import annotations


def if_none_match_hits(header: str | None, etag: str) -> bool:
    """True when If-None-Match names `etag` (weak comparison, as §13.1.2 asks) or is `*`."""
    if not header:
        return False
    opaque = etag.removeprefix("W/")
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == opaque:
            return True
    return False
