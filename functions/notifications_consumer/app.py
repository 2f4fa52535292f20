"""The notifications consumer: domain events from its queue become notifications, each once, with
partial batch failures so only failed events are retried."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from eckospace.notifications.consumer import notify

processor = BatchProcessor(event_type=EventType.SQS)


def consume(record: Any) -> None:
    notify(json.loads(record.body))


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=consume, processor=processor, context=context)
