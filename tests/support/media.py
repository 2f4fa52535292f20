"""Media as the upload paths leave it, for tests that need some already there (in the backend the
current clients and settings point at)."""

from __future__ import annotations

import time

from eckospace import aws
from eckospace.media import store
from tests.support import sample_files


def stored_media(owner: str, *, kind: str = "document", content: bytes | None = None) -> str:
    """A ready media item: its stored bytes, an image's variants (each holding its own name), and
    its record."""
    media_id = store.new_media_id()
    if content is None:
        content = sample_files.jpeg_bytes() if kind == "image" else sample_files.pdf_bytes()
    media_type = "image/jpeg" if kind == "image" else "application/pdf"
    aws.client("s3").put_object(Bucket=store.bucket(), Key=store.original_key(media_id), Body=content)
    record = {
        "id": media_id,
        "owner": owner,
        "kind": kind,
        "status": store.READY,
        "media_type": media_type,
        "size": len(content),
        "display_name": "photo.jpg" if kind == "image" else "minutes.pdf",
        "object_key": store.original_key(media_id),
        "created_at": int(time.time()),
        "metadata": {"width": 64, "height": 48} if kind == "image" else {"pages": 1},
    }
    if kind == "image":
        for variant in store.IMAGE_VARIANTS:
            aws.client("s3").put_object(
                Bucket=store.bucket(), Key=store.variant_key(media_id, variant), Body=variant.encode()
            )
        record["variants"] = list(store.IMAGE_VARIANTS)
    store.create_record(record)
    return media_id
