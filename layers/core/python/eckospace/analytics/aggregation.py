"""Folding queued events into counters, each event exactly once, and counting distinct people exactly.

A queued message is one person's accepted batch. Its events count where they happened: in the
hour and the day they occurred, for the object, for its owner and for the platform (`scopes.py`).
A counter holds one number per event type and `visitors`, the distinct people behind it.

Exactly once, under redelivery and concurrency alike, by construction: each write is one
TransactWriteItems that puts a marker per event (`event#<key>`, conditional on its absence), a marker
per new (counter, person) pair (`seen#<counter>`, idem), and adds the events' counts and the new
people to the counters. A retried or duplicated event finds its marker and is left out; a race
between two deliveries cancels one transaction, which reads the markers again and retries. A
counter touched by many events of a batch takes one update, not one per event.

Events of people viewing their own things are not counted, nor events about objects that do not
exist. Markers expire `MARKER_DAYS` after their bucket; an event that arrives later than `LATE_MS`
after it happened (say, redriven from the dead-letter queue days later) is dropped rather than risk
counting someone twice.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from eckospace import aws, ids
from eckospace.analytics import buckets, raw, scopes, settings
from eckospace.analytics.events import Event
from eckospace.analytics.owners import owners_of
from eckospace.analytics.visitors import event_key, pseudonym
from eckospace.observability import logger
from eckospace.transactions import Cancelled, transact

MARKER_DAYS = 3
LATE_MS = 48 * 3600 * 1000
TRANSACTION_ITEMS = 100
ATTEMPTS = 6


@dataclass(frozen=True)
class Counted:
    """An event that counts, with what it counts for."""

    event: Event
    key: str  # makes it count once
    visitor: str  # the person's pseudonym on the event's day
    owner: str

    def counters(self) -> list[tuple[str, str]]:
        """(scope, bucket) of every counter it adds to."""
        where = (scopes.of_object(self.event.object), scopes.of_owner(self.owner), scopes.of_platform(self.visitor))
        at = self.event.occurred_ms
        return [(scope, buckets.label(at, g)) for g in buckets.GRANULARITIES for scope in where]


def counter_key(scope: str, bucket: str) -> dict[str, Any]:
    return {"pk": {"S": scope}, "sk": {"S": bucket}}


def _event_marker(counted: Counted) -> tuple[str, str]:
    return f"event#{counted.key}", "event"


def _person_marker(counter: tuple[str, str], visitor: str) -> tuple[str, str]:
    scope, bucket = counter
    return f"seen#{scope}#{bucket}", visitor


def _markers(counted: Counted) -> list[tuple[str, str]]:
    return [_event_marker(counted), *(_person_marker(counter, counted.visitor) for counter in counted.counters())]


def _existing(markers: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these markers are written (BatchGetItem, 100 keys a call)."""
    table, found, wanted = settings.TABLE(), set(), sorted(markers)
    for start in range(0, len(wanted), 100):
        keys = [{"pk": {"S": pk}, "sk": {"S": sk}} for pk, sk in wanted[start : start + 100]]
        for item in aws.batch_get({table: {"Keys": keys, "ProjectionExpression": "pk, sk"}})[table]:
            found.add((item["pk"]["S"], item["sk"]["S"]))
    return found


def _marker_put(marker: tuple[str, str], expires_at: int) -> dict[str, Any]:
    item = {"pk": {"S": marker[0]}, "sk": {"S": marker[1]}, "expires_at": {"N": str(expires_at)}}
    return {"Put": {"TableName": settings.TABLE(), "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}


def _counter_update(counter: tuple[str, str], counts: Counter[str], people: int) -> dict[str, Any]:
    additions = {**counts, "visitors": people} if people else dict(counts)
    names = {f"#c{i}": name for i, name in enumerate(additions)}
    values = {f":c{i}": {"N": str(n)} for i, n in enumerate(additions.values())}
    return {
        "Update": {
            "TableName": settings.TABLE(),
            "Key": counter_key(*counter),
            "UpdateExpression": "ADD " + ", ".join(f"#c{i} :c{i}" for i in range(len(additions))),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
    }


def _day(event: Event) -> str:
    return buckets.label(event.occurred_ms, buckets.DAY)


def _expiry(counted: Counted) -> int:
    """When an event's markers may go: MARKER_DAYS after the end of its day."""
    return int(buckets.end(buckets.DAY, _day(counted.event)).timestamp()) + MARKER_DAYS * 86400


@dataclass
class _Write:
    """One transaction's worth of events, with the markers and counter changes they bring."""

    events: list[Counted]
    markers: dict[tuple[str, str], int]  # marker -> expires_at
    counts: dict[tuple[str, str], Counter[str]]
    people: Counter[tuple[str, str]]

    def size_with(self, counted: Counted, new_markers: list[tuple[str, str]]) -> int:
        counters = set(self.counts) | set(counted.counters())
        return len(set(self.markers) | set(new_markers)) + len(counters)

    def add(self, counted: Counted, new_markers: list[tuple[str, str]]) -> None:
        self.events.append(counted)
        for marker in new_markers:
            self.markers[marker] = _expiry(counted)
        for counter in counted.counters():
            self.counts.setdefault(counter, Counter())[counted.event.type] += 1
            if _person_marker(counter, counted.visitor) in new_markers:
                self.people[counter] += 1

    def operations(self) -> list[tuple[str, dict[str, Any]]]:
        return [
            *((f"marker {pk}|{sk}", _marker_put((pk, sk), expires)) for (pk, sk), expires in self.markers.items()),
            *(("counter", _counter_update(c, counts, self.people[c])) for c, counts in self.counts.items()),
        ]


def _writes(pending: list[Counted], seen: set[tuple[str, str]]) -> list[_Write]:
    """The pending events in as few transactions as fit DynamoDB's 100 items each; a marker goes
    into the first of them that needs it."""
    writes, claimed = [_Write([], {}, {}, Counter())], set(seen)
    for counted in pending:
        new = [marker for marker in _markers(counted) if marker not in claimed]
        if writes[-1].events and writes[-1].size_with(counted, new) > TRANSACTION_ITEMS:
            writes.append(_Write([], {}, {}, Counter()))
        writes[-1].add(counted, new)
        claimed.update(new)
    return [write for write in writes if write.events]


def counted_events(message: dict[str, Any], now_ms: int) -> list[Counted]:
    """The message's events that count: on time, about an object that exists, not its owner's own."""
    person = message["person"]
    events = [Event.from_queue(document) for document in message["events"]]
    on_time = [event for event in events if now_ms - event.occurred_ms <= LATE_MS]
    owners = owners_of(event.object for event in on_time)
    return [
        Counted(
            event, event_key(person, event.id), pseudonym(person, buckets.label(event.occurred_ms, buckets.DAY)), owner
        )
        for event in on_time
        if (owner := owners.get(event.object)) is not None and owner != person
    ]


def aggregate(message: dict[str, Any]) -> int:
    """Count one queued batch; how many of its events counted now (not before, nor never)."""
    pending = counted_events(message, ids.now_ms())
    total = 0
    for attempt in range(ATTEMPTS):
        seen = _existing({marker for counted in pending for marker in _markers(counted)})
        pending = [counted for counted in pending if _event_marker(counted) not in seen]
        if attempt == 0 and pending:
            raw.land(pending, received_ms=message["received_ms"])
        try:
            for write in _writes(pending, seen):
                transact(write.operations())
                total += len(write.events)
                done = {counted.key for counted in write.events}
                pending = [counted for counted in pending if counted.key not in done]
            return total
        except Cancelled as cancelled:
            # another delivery wrote some of the same markers first: read them again
            logger().info("analytics write raced another", extra={"codes": sorted(set(cancelled.codes))})
            time.sleep(0.02 * 2**attempt)
    raise RuntimeError("analytics counters stayed contended; the batch goes back to the queue")
