"""The webhook dispatcher: each domain event becomes one delivery per subscribed endpoint, once,
with partial batch failures so only failed events are retried."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from eckospace.webhooks.delivery import dispatch

processor = BatchProcessor(event_type=EventType.SQS)


def fan_out(record: Any) -> None:
    dispatch(json.loads(record.body))


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=fan_out, processor=processor, context=context)
