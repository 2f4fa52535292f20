"""Chat inboxes: the chat table's stream. Each new message reaches its members' inboxes and unread
totals, and each edit or deletion their copies of it (`eckospace.chat.inbox`); failures are
reported per record, so a retry starts from the first one that failed."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from eckospace.chat.inbox import apply

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def deliver_record(record: DynamoDBRecord) -> None:
    apply(record.raw_event)


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=deliver_record, processor=processor, context=context)
