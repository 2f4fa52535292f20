"""The analytics aggregator: queued batches of events become counters, each event once, with
partial batch failures so only failed batches are retried."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from eckospace.analytics.aggregation import aggregate

processor = BatchProcessor(event_type=EventType.SQS)


def count(record: Any) -> None:
    aggregate(json.loads(record.body))


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=count, processor=processor, context=context)
