"""If-Match (RFC 9110 §13.1.1) against a resource's version. Entity tags are `"v<version>.<digest>"`:
the digest tells representations apart (counts, the reader's own state), the version is what a
write compares."""

from __future__ import annotations

from eckospace.errors import Conflict, DomainError, VersionMismatch


def if_match_hits(header: str, version: int) -> bool:
    """True when If-Match is `*` or names an entity tag of `version`."""
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/").strip('"').partition(".")[0] == f"v{version}":
            return True
    return False


def changed_meanwhile(noun: str, if_match: str | None) -> DomainError:
    """What a write refused because the `noun` changed after it was read answers: a 412 when the
    caller named a version, else a 409 to retry (`If-Match: *` asks only that it exists)."""
    if if_match and if_match.strip() != "*":
        return VersionMismatch(f"The {noun} changed meanwhile; read it again.")
    return Conflict(f"The {noun} changed meanwhile; retry.", retry_after=1)
