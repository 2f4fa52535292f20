"""The media worker's job: check what a presigned upload put in quarantine, then publish or reject it.

The storage policy already bound the key, the content type and the size; the worker checks the
bytes themselves. Ready media are copied out of quarantine (images get a thumbnail); rejected
media are deleted. Each step is safe to repeat, so an SQS redelivery never publishes twice.
"""

from __future__ import annotations

import hashlib
import urllib.parse
from typing import Any

from eckospace import aws
from eckospace.media import store
from eckospace.observability import logger

# Video is only sniffed by its container header; the rest is streamed through the hash.
_VIDEO_HEAD_BYTES = 64 * 1024
_READ_CHUNK = 1024 * 1024


def uploaded_objects(notification: dict[str, Any]) -> list[tuple[str, str]]:
    """(bucket, key) of each object an S3 notification announces (S3 sends keys URL-encoded)."""
    return [(record["s3"]["bucket"]["name"], urllib.parse.unquote_plus(record["s3"]["object"]["key"]))
            for record in notification.get("Records", []) if record.get("eventName", "").startswith("ObjectCreated")]


def process_upload(key: str) -> str:
    """Check one quarantined object; returns what became of it (ready, rejected, or skipped)."""
    media_id = store.media_id_from_quarantine_key(key)
    record = store.get_record(media_id) if media_id else None
    if record is None or record["status"] != store.PENDING:
        store.delete_object(key)  # unknown, expired or already decided: nothing may stay in quarantine
        return "skipped"
    content, size, sha256 = _read(key, keep_all=record["kind"] != "video")
    from eckospace.media.errors import MediaRejected, UnreadableMedia
    from eckospace.media.inspection import inspect_object

    try:
        if size != record["size"]:
            raise UnreadableMedia(f"The upload has {size} bytes, not the {record['size']} declared.")
        inspection = inspect_object(content, declared_type=record["media_type"])
    except MediaRejected as rejected:
        store.finish_record(media_id, status=store.REJECTED, changes={"rejection": str(rejected)})
        store.delete_object(key)
        logger().info("media rejected", extra={"media_id": media_id, "reason": str(rejected)})
        return store.REJECTED
    changes: dict[str, Any] = {"object_key": _publish(key, media_id, record), "sha256": sha256,
                               "metadata": inspection.metadata}
    if inspection.kind == "image":
        changes["thumbnail_key"] = _put_thumbnail(media_id, content)
    store.finish_record(media_id, status=store.READY, changes=changes)
    store.delete_object(key)
    return store.READY


def _read(key: str, *, keep_all: bool) -> tuple[bytes, int, str]:
    body = aws.client("s3").get_object(Bucket=store.bucket(), Key=key)["Body"]
    digest, kept, size = hashlib.sha256(), bytearray(), 0
    for chunk in iter(lambda: body.read(_READ_CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
        if keep_all or len(kept) < _VIDEO_HEAD_BYTES:
            kept += chunk
    return bytes(kept if keep_all else kept[:_VIDEO_HEAD_BYTES]), size, digest.hexdigest()


def _publish(key: str, media_id: str, record: dict[str, Any]) -> str:
    target = store.original_key(media_id)
    aws.client("s3").copy_object(Bucket=store.bucket(), Key=target, CopySource={"Bucket": store.bucket(), "Key": key},
                                 ContentType=record["media_type"], MetadataDirective="REPLACE")
    return target


def _put_thumbnail(media_id: str, content: bytes) -> str:
    from eckospace.media.inspection import make_thumbnail

    key = store.thumbnail_key(media_id)
    aws.client("s3").put_object(Bucket=store.bucket(), Key=key, Body=make_thumbnail(content),
                                ContentType="image/jpeg")
    return key
