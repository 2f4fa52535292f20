"""Calendar buckets: UTC hours (`2026-12-03T20`) and UTC days (`2026-12-03`).

A bucket's label is its counter's sort key: a day sorts just before its hours, so one query from a
day to the last hour of another (`last_hour_of`) reads the days and the hours of a range together.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

HOUR, DAY = "hour", "day"
GRANULARITIES = (HOUR, DAY)
_FORMATS = {HOUR: "%Y-%m-%dT%H", DAY: "%Y-%m-%d"}
_LENGTHS = {HOUR: timedelta(hours=1), DAY: timedelta(days=1)}


def label(ms: int, granularity: str) -> str:
    """The bucket of a moment (epoch milliseconds)."""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime(_FORMATS[granularity])


def granularity_of(bucket: str) -> str:
    return HOUR if len(bucket) > 10 else DAY


def last_hour_of(day: str) -> str:
    return f"{day}T23"


def start(granularity: str, bucket: str) -> datetime:
    return datetime.strptime(bucket, _FORMATS[granularity]).replace(tzinfo=UTC)


def end(granularity: str, bucket: str) -> datetime:
    return start(granularity, bucket) + _LENGTHS[granularity]


def day_of(hour: str) -> str:
    return hour[:10]


def between(granularity: str, first: date, last: date) -> list[str]:
    """Every bucket from the start of day `first` to the end of day `last`, in order."""
    moment, stop, buckets = datetime(first.year, first.month, first.day, tzinfo=UTC), last, []
    while moment.date() <= stop:
        buckets.append(moment.strftime(_FORMATS[granularity]))
        moment += _LENGTHS[granularity]
    return buckets
