"""The fan-out queue's consumer: each message is one event for one channel's connections; a
message whose delivery failed outright is retried on its own. An eviction takes its user's
connections out of the channel first."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from eckospace.realtime.connections import evict, forget
from eckospace.realtime.fanout import deliver, parse

processor = BatchProcessor(event_type=EventType.SQS)


def deliver_record(record: Any) -> None:
    deliver(evict(parse(record.body)), forget=forget)


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=deliver_record, processor=processor, context=context)
