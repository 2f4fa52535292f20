"""The media worker: S3 notifications (through SQS) for presigned uploads landing in quarantine.
Each record is checked on its own; failures are reported per message so only they are retried."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from eckospace.media.processing import process_upload, uploaded_objects

processor = BatchProcessor(event_type=EventType.SQS)


def check_uploads(record: Any) -> None:
    for _bucket, key, version_id in uploaded_objects(json.loads(record.body)):
        process_upload(key, version_id)


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=check_uploads, processor=processor, context=context)
