"""When to try a delivery again: Svix's schedule (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
10 h), stretched by a receiver's `Retry-After` but never beyond the longest step."""

from __future__ import annotations

import email.utils

# Seconds to wait before attempt n (index 0 is the first attempt).
SCHEDULE = (0, 5, 300, 1800, 7200, 18000, 36000, 36000)
ATTEMPTS = len(SCHEDULE)
MAX_DELAY = max(SCHEDULE)
# SQS delays a message at most 15 minutes: longer waits are re-delayed until due.
SQS_MAX_DELAY = 900


def retry_after_seconds(value: str | None, now: float) -> int | None:
    """A `Retry-After` header (seconds, or an HTTP date) as seconds from now; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0, int(when.timestamp() - now))


def next_delay(retry_index: int, retry_after: int | None = None) -> int | None:
    """Seconds until the next attempt after failed attempt `retry_index` (0-based), or None when the
    schedule is used up."""
    following = retry_index + 1
    if following >= ATTEMPTS:
        return None
    delay = SCHEDULE[following]
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_DELAY))
    return delay


def sqs_delay(due: float, now: float) -> int:
    return int(max(0, min(SQS_MAX_DELAY, round(due - now))))
