"""Media a user uploads: direct document uploads, presigned uploads, and what their owner sees.

Direct uploads (the editor's documents, up to 4 MiB) are checked in the request and stored ready.
Anything larger, and every image and video, goes through a presigned S3 POST into quarantine,
where the media worker checks it (`eckospace.media.processing`).
"""

from __future__ import annotations

import time
from typing import Any

from eckospace import aws, timestamps
from eckospace.allowances import DailyAllowance, Quantity
from eckospace.errors import InvalidInput, NotFound
from eckospace.media import settings, store
from eckospace.media.form_upload import read_uploaded_file

# Lambda takes at most 6 MB per invocation and API Gateway base64-encodes the body: 4 MiB of file
# (5.6 MB encoded, with the multipart framing) is what fits with room to spare.
MAX_DIRECT_UPLOAD_BYTES = 4 * 1024 * 1024
PRESIGNED_UPLOADS_ROUTE = "POST /api/media/uploads"
PRESIGNED_UPLOAD_SECONDS = 900
# Pending uploads that never arrive are forgotten after a day.
PENDING_RECORD_SECONDS = 86_400
# Documents and presigned media together, counted before anything is stored.
DAILY_UPLOADS = DailyAllowance(
    "uploads",
    (
        Quantity("uploads", "used", "daily_uploads", settings.DAILY_UPLOADS),
        Quantity("bytes", "used_bytes", "daily_bytes", settings.DAILY_UPLOAD_BYTES),
    ),
)

_IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
_VIDEO_TYPES = ("video/mp4", "video/quicktime", "video/webm")
_DOCUMENT_TYPES = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "text/plain",
    "text/csv",
    "text/markdown",
)
# What a presigned upload may declare, with its kind and the largest size the storage policy allows.
PRESIGNED_TYPES: dict[str, tuple[str, int]] = (
    {t: ("image", 20 * 1024 * 1024) for t in _IMAGE_TYPES}
    | {t: ("video", 512 * 1024 * 1024) for t in _VIDEO_TYPES}
    | {t: ("document", 50 * 1024 * 1024) for t in _DOCUMENT_TYPES}
)


def _count_upload(owner: str, size: int) -> None:
    now = time.time()
    DAILY_UPLOADS.count(store.table(), store.allowance_key(DAILY_UPLOADS, owner, now), now, (1, size))


def receive_document(event: dict[str, Any], owner: str) -> dict[str, Any]:
    """Check the request's document by its own bytes and store it; nothing is stored if refused."""
    from eckospace.media.documents import identify_document
    from eckospace.media.filenames import display_name

    upload = read_uploaded_file(event, max_bytes=MAX_DIRECT_UPLOAD_BYTES, presigned_hint=PRESIGNED_UPLOADS_ROUTE)
    document = identify_document(upload.content, declared_type=upload.declared_type, filename=upload.filename)
    _count_upload(owner, upload.size)
    media_id = store.new_media_id()
    key = store.put_checked_object(media_id, upload.content, media_type=document.media_type, sha256_hex=upload.sha256)
    record = {
        "id": media_id,
        "owner": owner,
        "kind": "document",
        "status": store.READY,
        "media_type": document.media_type,
        "size": upload.size,
        "sha256": upload.sha256,
        "display_name": display_name(upload.filename, extension=document.extension),
        "object_key": key,
        "created_at": int(time.time()),
    }
    try:
        store.create_record(record)
    except Exception:
        store.delete_object(key)  # keep the promise: a failed upload leaves nothing behind
        raise
    return media_view(record)


def start_upload(owner: str, *, media_type: str, size: int, filename: str | None) -> dict[str, Any]:
    """A pending media record and the presigned POST that may fill its quarantine slot once."""
    from eckospace.media.filenames import display_name

    kind, max_bytes = PRESIGNED_TYPES[media_type]
    if size > max_bytes:
        raise InvalidInput(
            f"{media_type} uploads are limited to {max_bytes} bytes.",
            errors=[{"in": "body", "name": "size", "detail": f"at most {max_bytes}"}],
        )
    _count_upload(owner, size)
    media_id = store.new_media_id()
    now = int(time.time())
    record = {
        "id": media_id,
        "owner": owner,
        "kind": kind,
        "status": store.PENDING,
        "media_type": media_type,
        "size": size,
        "display_name": display_name(filename, fallback_stem=kind, extension=""),
        "created_at": now,
        "expires_at": now + PENDING_RECORD_SECONDS,
    }
    store.create_record(record)
    post = aws.client("s3").generate_presigned_post(
        Bucket=store.bucket(),
        Key=store.quarantine_key(media_id),
        ExpiresIn=PRESIGNED_UPLOAD_SECONDS,
        Fields={"Content-Type": media_type},
        Conditions=[{"Content-Type": media_type}, ["content-length-range", size, size]],
    )
    upload = {
        "method": "POST",
        "url": post["url"],
        "fields": post["fields"],
        "file_field": "file",
        "expires_at": timestamps.from_seconds(now + PRESIGNED_UPLOAD_SECONDS),
    }
    return media_view(record) | {"upload": upload}


def readable_media(media_id: str, reader: str) -> dict[str, Any]:
    """One media item, for its owner or for anyone who may read what it is attached to (while it
    is); for everyone else it is not found, whether or not it exists."""
    record = store.get_record(media_id) if media_id.startswith("med_") else None
    if record is None or _expired(record) or not (record["owner"] == reader or store.attached_to_public(record)):
        raise NotFound("No media with this id.")
    return media_view(record)


def media_view(record: dict[str, Any]) -> dict[str, Any]:
    """What a reader sees of a media record (described by `eckospace.media.models.Media`)."""
    from eckospace.media.links import links
    from eckospace.media.publication import is_public

    view = {name: record.get(name) for name in ("id", "kind", "status", "media_type", "size", "sha256", "display_name")}
    view["created_at"] = timestamps.from_seconds(record["created_at"])
    view["metadata"] = record.get("metadata", {})
    if record["status"] == store.READY:
        view |= links(record, public=is_public(record))
    if record["status"] == store.REJECTED:
        view["rejection"] = record.get("rejection")
    return view


def _expired(record: dict[str, Any]) -> bool:
    # TTL deletes lazily: a pending record past its expiry is gone as far as callers can tell.
    return bool(record["status"] == store.PENDING and record.get("expires_at", 0) < time.time())
