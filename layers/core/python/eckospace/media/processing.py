"""The media worker's job: check what a presigned upload put in quarantine, then publish or reject it.

The storage policy already bound the key, the content type and the size; the worker checks the
bytes themselves. The bucket is versioned, and a presigned POST may be used again until it expires,
so one key can hold several uploads: the worker reads one version (the one S3's notification names,
else the current one), and publishes exactly that version, never whatever the key holds by then.
Ready media are copied out of quarantine; images are stored without their identifying metadata
(`eckospace.media.metadata`) and get their smaller copies (`store.IMAGE_VARIANTS`); rejected
media are deleted.
Every quarantine version the worker is done with is deleted for good, not hidden behind a delete
marker. Each step is safe to repeat, so an SQS redelivery never publishes twice.
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


def uploaded_objects(notification: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """(bucket, key, version id) of each object an S3 notification announces (S3 sends keys
    URL-encoded, and the version id when the bucket is versioned)."""
    return [
        (
            record["s3"]["bucket"]["name"],
            urllib.parse.unquote_plus(record["s3"]["object"]["key"]),
            record["s3"]["object"].get("versionId") or None,
        )
        for record in notification.get("Records", [])
        if record.get("eventName", "").startswith("ObjectCreated")
    ]


def process_upload(key: str, version_id: str | None = None) -> str:
    """Check one quarantined object version (the current one when `version_id` is None); returns
    what became of it (ready, rejected, or skipped)."""
    media_id = store.media_id_from_quarantine_key(key)
    record = store.get_record(media_id) if media_id else None
    if media_id is None or record is None or record["status"] != store.PENDING:
        _discard(key, version_id)  # unknown, expired or already decided: nothing may stay in quarantine
        return "skipped"
    content, size, sha256, version_id = _read(key, version_id, keep_all=record["kind"] != "video")
    from eckospace.media.errors import MediaRejected, UnreadableMedia
    from eckospace.media.inspection import inspect_object

    try:
        if size != record["size"]:
            raise UnreadableMedia(f"The upload has {size} bytes, not the {record['size']} declared.")
        inspection = inspect_object(content, declared_type=record["media_type"])
    except MediaRejected as rejected:
        store.finish_record(media_id, status=store.REJECTED, changes={"rejection": str(rejected)})
        store.delete_object(key, version_id)
        logger().info("media rejected", extra={"media_id": media_id, "reason": str(rejected)})
        return store.REJECTED
    changes: dict[str, Any] = {"metadata": inspection.metadata}
    if inspection.kind == "image":
        from eckospace.media.metadata import strip_metadata

        try:
            content = strip_metadata(content, inspection.media_type, orientation=inspection.orientation)
        except ValueError as malformed:
            store.finish_record(media_id, status=store.REJECTED, changes={"rejection": "The image is malformed."})
            store.delete_object(key, version_id)
            logger().info("media rejected", extra={"media_id": media_id, "reason": str(malformed)})
            return store.REJECTED
        sha256, changes["size"] = hashlib.sha256(content).hexdigest(), len(content)
        object_key, object_version = _put_stripped(media_id, content, record)
        made = [(object_key, object_version), *_put_variants(media_id, content)]
        changes["variants"] = list(store.IMAGE_VARIANTS)
    else:
        object_key, object_version = _publish(key, version_id, media_id, record)
        made = [(object_key, object_version)]
    changes |= {"object_key": object_key, "sha256": sha256}
    if not store.finish_record(media_id, status=store.READY, changes=changes):
        decided = store.get_record(media_id)
        if not (decided and decided["status"] == store.READY and decided.get("sha256") == sha256):
            # Another upload to this key was decided meanwhile: take back the copies made for this one.
            for made_key, made_version in made:
                if made_version:
                    store.delete_object(made_key, made_version)
            store.delete_object(key, version_id)
            logger().info("media decided meanwhile", extra={"media_id": media_id})
            return "skipped"
    store.delete_object(key, version_id)
    return store.READY


def _discard(key: str, version_id: str | None) -> None:
    """Delete a quarantined version for good (the current one when the notification named none)."""
    if version_id is None:
        s3 = aws.client("s3")
        try:
            version_id = s3.head_object(Bucket=store.bucket(), Key=key).get("VersionId")
        except s3.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return
            raise
    store.delete_object(key, version_id)


def _read(key: str, version_id: str | None, *, keep_all: bool) -> tuple[bytes, int, str, str | None]:
    """The object's bytes (or a video's head), size and SHA-256, and the version they are."""
    found = aws.client("s3").get_object(
        Bucket=store.bucket(), Key=key, **({"VersionId": version_id} if version_id else {})
    )
    body = found["Body"]
    digest, kept, size = hashlib.sha256(), bytearray(), 0
    for chunk in iter(lambda: body.read(_READ_CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
        if keep_all or len(kept) < _VIDEO_HEAD_BYTES:
            kept += chunk
    return (
        bytes(kept if keep_all else kept[:_VIDEO_HEAD_BYTES]),
        size,
        digest.hexdigest(),
        found.get("VersionId") or version_id,
    )


def _publish(key: str, version_id: str | None, media_id: str, record: dict[str, Any]) -> tuple[str, str | None]:
    """Copy exactly the version inspected to its published key; returns that key and the copy's version."""
    target = store.original_key(media_id)
    source = {"Bucket": store.bucket(), "Key": key, **({"VersionId": version_id} if version_id else {})}
    copied = aws.client("s3").copy_object(
        Bucket=store.bucket(),
        Key=target,
        CopySource=source,
        ContentType=record["media_type"],
        MetadataDirective="REPLACE",
    )
    return target, copied.get("VersionId")


def _put_stripped(media_id: str, content: bytes, record: dict[str, Any]) -> tuple[str, str | None]:
    """Store an image as it may be shown to others: its bytes without identifying metadata. The
    uploaded original is not kept, so what it said about its author is gone for good."""
    key = store.original_key(media_id)
    stored = aws.client("s3").put_object(Bucket=store.bucket(), Key=key, Body=content, ContentType=record["media_type"])
    return key, stored.get("VersionId")


def _put_variants(media_id: str, content: bytes) -> list[tuple[str, str | None]]:
    """Each smaller copy of an image: its key and the version stored."""
    from eckospace.media.inspection import make_thumbnail

    made = []
    for variant, longest_side in store.IMAGE_VARIANTS.items():
        key = store.variant_key(media_id, variant)
        stored = aws.client("s3").put_object(
            Bucket=store.bucket(),
            Key=key,
            Body=make_thumbnail(content, max_side=longest_side),
            ContentType="image/jpeg",
        )
        made.append((key, stored.get("VersionId")))
    return made
