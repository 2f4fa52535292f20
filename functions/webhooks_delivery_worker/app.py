"""The webhook delivery worker: one signed attempt per message, SSRF-safe, retried on a backoff
schedule; partial batch failures so only failed messages come back."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from eckospace.webhooks.delivery import attempt

processor = BatchProcessor(event_type=EventType.SQS)


def deliver(record: Any) -> None:
    attempt(json.loads(record.body))


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=deliver, processor=processor, context=context)
