"""Taking a batch of events: each checked, the good ones queued in one message, the bad ones
refused with their reasons. The aggregator does everything else, so this answers fast."""

from __future__ import annotations

import json
from typing import Any

from eckospace import aws, ids
from eckospace.analytics import settings
from eckospace.analytics.events import MAX_BATCH_BYTES, MAX_EVENTS, sort_batch
from eckospace.errors import InvalidInput, TooLarge


def _batch(raw: bytes) -> list[Any]:
    if len(raw) > MAX_BATCH_BYTES:
        raise TooLarge(f"A batch is at most {MAX_BATCH_BYTES // 1024} KB; send fewer events at a time.")
    try:
        document = json.loads(raw)
    except ValueError:
        raise InvalidInput("The body is not JSON.") from None
    events = document.get("events") if isinstance(document, dict) else None
    if not isinstance(events, list) or not 1 <= len(events) <= MAX_EVENTS:
        raise InvalidInput(
            f'The body must be {{"events": [...]}} with 1 to {MAX_EVENTS} events.',
            errors=[{"in": "body", "name": "events", "detail": f"must be a list of 1 to {MAX_EVENTS} events"}],
        )
    return events


def ingest(person: str, raw: bytes) -> dict[str, Any]:
    """What happened to each event of the batch `person` sent (`raw`, the body as sent)."""
    now_ms = ids.now_ms()
    accepted, refused = sort_batch(_batch(raw), now_ms)
    if accepted:
        message = {"person": person, "received_ms": now_ms, "events": [event.queued() for event in accepted]}
        aws.client("sqs").send_message(
            QueueUrl=settings.QUEUE(), MessageBody=json.dumps(message, separators=(",", ":"))
        )
    return {"object": "analytics_batch", "accepted": len(accepted), "refused": refused}
