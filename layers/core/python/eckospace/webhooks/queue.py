"""The deliveries queue: one message per attempt due, delayed up to SQS's 15 minutes at a time."""

from __future__ import annotations

import json
from typing import Any

from eckospace import aws
from eckospace.webhooks import settings


def _body(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), sort_keys=True)


def send(message: dict[str, Any], delay: int = 0) -> None:
    aws.client("sqs").send_message(
        QueueUrl=settings.DELIVERIES_QUEUE_URL(),
        MessageBody=_body(message),
        DelaySeconds=max(0, min(900, int(delay))),
    )


def send_all(messages: list[dict[str, Any]]) -> None:
    """Send in batches of ten; raises if any message could not be queued."""
    sqs = aws.client("sqs")
    url = settings.DELIVERIES_QUEUE_URL()
    for start in range(0, len(messages), 10):
        chunk = messages[start : start + 10]
        entries = [{"Id": str(n), "MessageBody": _body(m)} for n, m in enumerate(chunk)]
        for _ in range(3):
            failed = sqs.send_message_batch(QueueUrl=url, Entries=entries).get("Failed") or []
            if not failed:
                break
            retry = {f["Id"] for f in failed}
            entries = [e for e in entries if e["Id"] in retry]
        else:
            raise RuntimeError(f"{len(entries)} delivery messages could not be queued")
