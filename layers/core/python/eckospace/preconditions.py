"""If-Match (RFC 9110 §13.1.1) against a resource's version. Entity tags are `"v<version>.<digest>"`:
the digest tells representations apart (counts, the reader's own state), the version is what a
write compares."""

from __future__ import annotations


def if_match_hits(header: str, version: int) -> bool:
    """True when If-Match is `*` or names an entity tag of `version`."""
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/").strip('"').partition(".")[0] == f"v{version}":
            return True
    return False
