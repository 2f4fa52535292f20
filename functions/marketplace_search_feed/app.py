"""Search feed: the marketplace table's stream. Each change that may change what search finds sends
the listing or job to the search queue (`eckospace.marketplace.search.feed`); failures are reported
per record, so a retry starts from the first one that failed."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from eckospace.marketplace.search.feed import changed_posting, enqueue

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def forward_change(record: DynamoDBRecord) -> None:
    posting_id = changed_posting(record.raw_event)
    if posting_id:
        enqueue(posting_id, change_id=record.raw_event["eventID"])


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=forward_change, processor=processor, context=context)
