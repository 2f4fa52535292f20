"""The payments worker: applies verified Stripe events from the payments queue to the wallet ledger,
each effect exactly once, reporting partial batch failures so only failed events are retried."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from eckospace.events import publish
from eckospace.payments import settlement

processor = BatchProcessor(event_type=EventType.SQS)


def apply_event(record: Any) -> None:
    for fact in settlement.apply_event(json.loads(record.body)):
        publish(fact)


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=apply_event, processor=processor, context=context)
