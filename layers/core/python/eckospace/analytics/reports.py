"""Reports: figures per closed calendar bucket, with every bucket fewer than the minimum crowd of
distinct people made left out, in a way no comparison of figures can undo.

- **Whole buckets only.** A report lists hours or days, never a sum over a range, so two
  overlapping ranges never differ by a hidden bucket.
- **Closed buckets only.** An hour or a day is shown once it has ended (hours once their whole day
  has), so reading the same bucket twice never tells what one person did in between.
- **Exact suppression.** A bucket is hidden when the exact number of distinct people behind it
  (kept with markers by the aggregator, not estimated) is below the minimum crowd; an empty bucket
  looks the same as a thin one.
- **Hours and days agree.** A day with a thin hour (some people, but fewer than the minimum crowd)
  shows neither its figure nor any of its hours: otherwise the day less its shown hours would be the
  thin hour's figures.

No report holds a person's id, an email, a wallet or a payment: only counts by event type and
numbers of people.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from eckospace import aws, timestamps
from eckospace.analytics import buckets, scopes, settings
from eckospace.analytics.events import TYPES, object_type
from eckospace.analytics.owners import owner_of
from eckospace.errors import InvalidInput, NotFound

MAX_BUCKETS = {buckets.DAY: 92, buckets.HOUR: 7 * 24}
REPORTED, SUPPRESSED, OPEN = "reported", "suppressed", "open"


def _refused(name: str, detail: str) -> InvalidInput:
    return InvalidInput(f"`{name}` {detail}.", errors=[{"in": "query", "name": name, "detail": detail}])


def _day(name: str, value: str | None, default: date) -> date:
    if value is None:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _refused(name, "must be a date, YYYY-MM-DD") from None


def period(granularity: str | None, first: str | None, last: str | None, *, today: date) -> tuple[str, date, date]:
    """The report's granularity and its first and last days, from the query (defaults: days, the
    last seven whole days; hours, yesterday's)."""
    granularity = granularity or buckets.DAY
    last_day = _day("to", last, today - timedelta(days=1))
    first_day = _day("from", first, last_day - timedelta(days=6 if granularity == buckets.DAY else 0))
    if last_day > today:
        raise _refused("to", "is after today (UTC)")
    if first_day > last_day:
        raise _refused("from", "is after `to`")
    days = (last_day - first_day).days + 1
    if len(buckets.between(granularity, first_day, first_day)) * days > MAX_BUCKETS[granularity]:
        most = MAX_BUCKETS[granularity]
        raise _refused("from", f"starts a range of more than {most} {granularity}s; ask for a shorter one")
    return granularity, first_day, last_day


def _counters(partitions: list[str], first: date, last: date) -> dict[str, Counter[str]]:
    """The counters of every day and hour from `first` to `last`, by bucket, summed across the
    scope's partitions (one query each)."""
    found: dict[str, Counter[str]] = {}
    low, high = str(first), buckets.last_hour_of(str(last))
    for partition in partitions:
        request: dict[str, Any] = {
            "TableName": settings.TABLE(),
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :low AND :high",
            "ExpressionAttributeValues": {":pk": {"S": partition}, ":low": {"S": low}, ":high": {"S": high}},
        }
        while True:
            page = aws.client("dynamodb").query(**request)
            for item in page["Items"]:
                counts = found.setdefault(item["sk"]["S"], Counter())
                for name, value in item.items():
                    if "N" in value:
                        counts[name] += int(value["N"])
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return found


def report(
    scope: str,
    subject: dict[str, Any],
    types: tuple[str, ...],
    granularity: str,
    first: date,
    last: date,
    *,
    now: datetime,
) -> dict[str, Any]:
    """The report on one scope (`obj#<id>`, `own#<person>`, `all`) over whole days `first`..`last`."""
    crowd = settings.MINIMUM_CROWD()
    figures = _counters(scopes.partitions(scope), first, last)
    thin_days = {
        buckets.day_of(bucket)
        for bucket, counts in figures.items()
        if buckets.granularity_of(bucket) == buckets.HOUR and 0 < counts["visitors"] < crowd
    }
    rows = []
    for bucket in buckets.between(granularity, first, last):
        day = buckets.day_of(bucket)
        row: dict[str, Any] = {
            "start": timestamps.from_seconds(buckets.start(granularity, bucket).timestamp()),
            "end": timestamps.from_seconds(buckets.end(granularity, bucket).timestamp()),
        }
        counts = figures.get(bucket, Counter())
        if buckets.end(buckets.DAY, day) > now:
            row["status"] = OPEN
        elif day in thin_days or counts["visitors"] < crowd:
            row["status"] = SUPPRESSED
        else:
            row.update(status=REPORTED, visitors=counts["visitors"], counts={t: counts[t] for t in types})
        rows.append(row)
    return {
        "object": "analytics_report",
        "subject": subject,
        "granularity": granularity,
        "from": str(first),
        "to": str(last),
        "minimum_crowd": crowd,
        "buckets": rows,
    }


def _types_about(kind: str) -> tuple[str, ...]:
    return (f"{kind}_view", "link_click")


def object_report(object_id: str, viewer: str, query: dict[str, str | None], *, now: datetime) -> dict[str, Any]:
    """The owner's report on one of their posts, listings or jobs, or on their own profile (404 to
    anyone else, whether or not the object exists)."""
    granularity, first, last = period(query.get("granularity"), query.get("from"), query.get("to"), today=now.date())
    if object_id != viewer and owner_of(object_id) != viewer:  # your own profile is yours
        raise NotFound("No such post, listing, job or profile of yours.")
    kind = object_type(object_id)
    subject = {"type": kind, "id": object_id}
    return report(scopes.of_object(object_id), subject, _types_about(kind), granularity, first, last, now=now)


def platform_report(query: dict[str, str | None], *, now: datetime) -> dict[str, Any]:
    """Every event on the platform, per bucket."""
    granularity, first, last = period(query.get("granularity"), query.get("from"), query.get("to"), today=now.date())
    return report(scopes.PLATFORM, {"type": "platform", "id": None}, tuple(TYPES), granularity, first, last, now=now)


def utc_now() -> datetime:
    return datetime.now(UTC)
