"""Domain events: facts other features react to (outgoing webhooks, notifications).

`publish()` sends one event, wrapped in a stable envelope, to the domain events queue named by
`ECKO_DOMAIN_EVENTS_QUEUE_URL`. Consumers deduplicate by the envelope's `id`.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from eckospace import aws
from eckospace.config import Setting, text

QUEUE_URL = Setting("ECKO_DOMAIN_EVENTS_QUEUE_URL", text)


@dataclass(frozen=True)
class DomainEvent:
    type: str
    data: dict[str, Any]
    subject: str | None = None
    id: str = field(default_factory=lambda: f"evt_{uuid.uuid4().hex}")
    created: int = field(default_factory=lambda: int(time.time()))

    def envelope(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "created": self.created, "subject": self.subject, "data": self.data}


def publish(event: DomainEvent) -> str:
    """Queue `event`; returns its id. Raises on failure so the caller can retry or fail loudly."""
    aws.client("sqs").send_message(
        QueueUrl=QUEUE_URL(),
        MessageBody=json.dumps(event.envelope(), separators=(",", ":")),
        MessageAttributes={"event_type": {"DataType": "String", "StringValue": event.type}},
    )
    return event.id
