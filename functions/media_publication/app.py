"""Media publication: the media table's stream. Each change that may make an image public, or no
longer public, brings its CDN copies in line (`eckospace.media.publication`); failures are
reported per record, so a retry starts from the first one that failed."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from eckospace.media.publication import changed_media, converge

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def publish_change(record: DynamoDBRecord) -> None:
    media_id = changed_media(record.raw_event)
    if media_id:
        converge(media_id, change_id=record.raw_event["eventID"])


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=publish_change, processor=processor, context=context)
