"""Media records (DynamoDB) and their objects (S3).

Object keys are made here, never from a client's filename: `media/<id>/original` for checked
media, `media/<id>/<variant>.jpg` for an image's smaller copies (`IMAGE_VARIANTS`), and
`quarantine/<id>` where presigned
uploads land until the media worker has checked them (the bucket expires that prefix on its own).
"""

from __future__ import annotations

import base64
import secrets
import time
import urllib.parse
from typing import Any

from eckospace import aws, timestamps
from eckospace.allowances import DailyAllowance
from eckospace.items import attribute, from_item, to_item
from eckospace.media import settings

DOWNLOAD_URL_SECONDS = 300

PENDING, READY, REJECTED = "pending", "ready", "rejected"


def new_media_id() -> str:
    return f"med_{secrets.token_hex(12)}"


def original_key(media_id: str) -> str:
    return f"media/{media_id}/original"


# Each image's smaller copies, by name, with the longest side each may have (JPEG, upright): a
# thumbnail for lists, a preview for a screen.
IMAGE_VARIANTS = {"thumbnail": 320, "preview": 1280}


def variant_key(media_id: str, variant: str) -> str:
    return f"media/{media_id}/{variant}.jpg"


def quarantine_key(media_id: str) -> str:
    return f"quarantine/{media_id}"


def attached_to_public(record: dict[str, Any]) -> bool:
    """Whether anyone may read this media: ready, and attached to something public (`public_via`,
    kept by the owning context: see `eckospace.media.attachments`)."""
    return record.get("status") == READY and bool(record.get("public_via"))


def media_id_from_quarantine_key(key: str) -> str | None:
    prefix, _, media_id = key.partition("/")
    return media_id if prefix == "quarantine" and media_id.startswith("med_") and "/" not in media_id else None


def table() -> str:
    return settings.TABLE()


def bucket() -> str:
    return settings.BUCKET()


def allowance_key(allowance: DailyAllowance, person: str, now: float) -> dict[str, Any]:
    return {"id": {"S": allowance.key_value(person, now)}}


def put_checked_object(media_id: str, content: bytes | bytearray, *, media_type: str, sha256_hex: str) -> str:
    """Store checked bytes; S3 verifies them against the SHA-256 we computed while reading."""
    key = original_key(media_id)
    aws.client("s3").put_object(
        Bucket=bucket(),
        Key=key,
        Body=content,
        ContentType=media_type,
        ChecksumSHA256=base64.b64encode(bytes.fromhex(sha256_hex)).decode(),
    )
    return key


def delete_object(key: str, version_id: str | None = None) -> None:
    """Delete an object; given a version id, that version for good. (The bucket is versioned: a
    delete without one only hides the object behind a delete marker, and its bytes stay.)"""
    extra = {"VersionId": version_id} if version_id else {}
    aws.client("s3").delete_object(Bucket=bucket(), Key=key, **extra)


def create_record(record: dict[str, Any]) -> None:
    aws.client("dynamodb").put_item(
        TableName=table(), Item=to_item(record), ConditionExpression="attribute_not_exists(id)"
    )


def get_record(media_id: str, *, consistent: bool = False) -> dict[str, Any] | None:
    found = (
        aws.client("dynamodb")
        .get_item(TableName=table(), Key={"id": {"S": media_id}}, ConsistentRead=consistent)
        .get("Item")
    )
    return from_item(found) if found else None


def finish_record(media_id: str, *, status: str, changes: dict[str, Any]) -> bool:
    """Move a pending record to `status` (ready or rejected) once; False if it was not pending."""
    names = {f"#{name}": name for name in changes} | {"#status": "status"}
    values = {f":{name}": attribute(value) for name, value in changes.items()}
    values |= {":status": {"S": status}, ":pending": {"S": PENDING}}
    sets = ", ".join(f"#{name} = :{name}" for name in changes)
    dynamodb = aws.client("dynamodb")
    try:
        dynamodb.update_item(
            TableName=table(),
            Key={"id": {"S": media_id}},
            UpdateExpression=f"SET #status = :status, {sets} REMOVE expires_at"
            if sets
            else "SET #status = :status REMOVE expires_at",
            ConditionExpression="#status = :pending",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )
    except dynamodb.exceptions.ConditionalCheckFailedException:
        return False
    return True


def download_url(media: dict[str, Any], *, key: str) -> dict[str, Any]:
    """A short-lived GET URL for `key` that downloads under the media's display name, never rendered inline."""
    disposition = "attachment; filename*=UTF-8''" + urllib.parse.quote(media["display_name"], safe="")
    url = aws.client("s3").generate_presigned_url(
        "get_object",
        ExpiresIn=DOWNLOAD_URL_SECONDS,
        Params={
            "Bucket": bucket(),
            "Key": key,
            "ResponseContentDisposition": disposition,
            "ResponseContentType": media["media_type"],
        },
    )
    return {"url": url, "expires_at": timestamps.from_seconds(int(time.time()) + DOWNLOAD_URL_SECONDS)}
