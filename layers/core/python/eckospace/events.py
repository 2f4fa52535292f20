"""Domain events: facts other features react to (outgoing webhooks, notifications).

`publish()` sends one event, wrapped in a stable envelope, to the domain events topic named by
`ECKO_DOMAIN_EVENTS_TOPIC`; the topic delivers the envelope unchanged (raw delivery) to one queue
per consumer, its type in the `event_type` message attribute that subscriptions filter on.
Consumers deduplicate by the envelope's `id`: an event a retry may publish again gets an id derived
from its cause (`stable_event_id`), so both publications carry the same one.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from eckospace import aws
from eckospace.config import Setting, text

TOPIC_ARN = Setting("ECKO_DOMAIN_EVENTS_TOPIC", text)
BATCH = 10  # SNS PublishBatch takes at most ten entries


def stable_event_id(cause: str) -> str:
    """The id of the event `cause` names (say `"report.resolved:<report id>"`), the same each time."""
    return "evt_" + hashlib.sha256(cause.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class DomainEvent:
    type: str
    data: dict[str, Any]
    subject: str | None = None
    id: str = field(default_factory=lambda: f"evt_{uuid.uuid4().hex}")
    created: int = field(default_factory=lambda: int(time.time()))

    def envelope(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "created": self.created, "subject": self.subject, "data": self.data}

    def message(self) -> dict[str, Any]:
        return {
            "Message": json.dumps(self.envelope(), separators=(",", ":")),
            "MessageAttributes": {"event_type": {"DataType": "String", "StringValue": self.type}},
        }


def publish(event: DomainEvent) -> str:
    """Publish `event`; returns its id. Raises on failure so the caller can retry or fail loudly."""
    aws.client("sns").publish(TopicArn=TOPIC_ARN(), **event.message())
    return event.id


def publish_all(events: Iterable[DomainEvent]) -> list[str]:
    """Publish `events` in batches of ten; raises if any was refused (the caller retries them all,
    which their consumers deduplicate)."""
    pending, ids = list(events), []
    client = aws.client("sns")
    for start in range(0, len(pending), BATCH):
        chunk = pending[start : start + BATCH]
        answer = client.publish_batch(
            TopicArn=TOPIC_ARN(),
            PublishBatchRequestEntries=[{"Id": str(n), **event.message()} for n, event in enumerate(chunk)],
        )
        if answer.get("Failed"):
            failed = answer["Failed"][0]
            raise RuntimeError(f"domain event not published: {failed.get('Code')} {failed.get('Message')}")
        ids += [event.id for event in chunk]
    return ids
