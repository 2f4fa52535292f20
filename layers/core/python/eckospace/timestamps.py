"""One convention for every time the API shows: an RFC 3339 string in UTC with milliseconds and a
`Z` (`2026-12-02T10:25:00.123Z`), under a name that ends in `_at` (`created_at`, `updated_at`,
`expires_at`). Storage keeps whatever suits it (epoch seconds or milliseconds); views convert here.
"""

from __future__ import annotations

from datetime import UTC, datetime


def from_ms(ms: int | float | None) -> str | None:
    """Epoch milliseconds as the API shows a time (None stays None)."""
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def from_seconds(seconds: int | float | None) -> str | None:
    """Epoch seconds as the API shows a time (None stays None)."""
    return None if seconds is None else from_ms(seconds * 1000)
