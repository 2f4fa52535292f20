"""Notification push: the notifications table's stream; each new notification is broadcast on its
user's private channel, failures reported per record."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from eckospace.notifications.push import push

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def push_record(record: DynamoDBRecord) -> None:
    push(record.raw_event)


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=push_record, processor=processor, context=context)
