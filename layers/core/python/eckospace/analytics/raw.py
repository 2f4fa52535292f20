"""Raw events for ad-hoc analysis: gzipped JSON lines in S3 under
`events/date=YYYY-MM-DD/hour=HH/<digest>.json.gz`, one file per batch and hour, which the template's
Glue table (partition projection) lets Athena query, and DuckDB reads locally as they are.

A row holds the event's key, type, object and object type, the day's pseudonym of the person, the
link's scheme, host and path, and the times: never a person's id. A file's name is a digest of its
events' keys, so landing the same events again rewrites the same file. Files are at least once:
two deliveries of overlapping batches racing each other may land an event in two files, so queries
that count events count distinct `event_key`s.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from eckospace import aws, timestamps
from eckospace.analytics import buckets, settings
from eckospace.analytics.events import object_type

if TYPE_CHECKING:
    from eckospace.analytics.aggregation import Counted

PREFIX = "events"


def row(counted: Counted, received_ms: int) -> dict[str, Any]:
    event = counted.event
    return {
        "event_key": counted.key,
        "type": event.type,
        "object": event.object,
        "object_type": object_type(event.object),
        "visitor": counted.visitor,
        "url": event.url,
        "occurred_at": timestamps.from_ms(event.occurred_ms),
        "received_at": timestamps.from_ms(received_ms),
    }


def land(events: list[Counted], *, received_ms: int) -> None:
    by_hour: dict[str, list[Counted]] = defaultdict(list)
    for counted in events:
        by_hour[buckets.label(counted.event.occurred_ms, buckets.HOUR)].append(counted)
    for hour, batch in sorted(by_hour.items()):
        digest = hashlib.sha256("|".join(sorted(counted.key for counted in batch)).encode()).hexdigest()[:32]
        lines = "".join(json.dumps(row(counted, received_ms), separators=(",", ":")) + "\n" for counted in batch)
        aws.client("s3").put_object(
            Bucket=settings.EVENTS_BUCKET(),
            Key=f"{PREFIX}/date={buckets.day_of(hour)}/hour={hour[11:13]}/{digest}.json.gz",
            Body=gzip.compress(lines.encode(), mtime=0),
            ContentType="application/gzip",
        )
