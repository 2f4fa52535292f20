"""Public copies of media, for the CDN: what anyone may see is served from `public/<id>/`, and only
for as long as it is public.

The CDN (CloudFront with origin access control) may read only the `public/` prefix of the private
bucket. An image is public while it is ready and attached to something public (a published,
visible post: its `public_via` set, kept by the owning context in the same transaction as the
change that makes it public or not). Each change to a media record comes through the media table's
stream; the publication function then makes `public/<id>/` match the record as it is now (read
consistently, so records handled late or twice do no harm): it copies the stored image and its
smaller copies there, or deletes every version under the prefix and invalidates the CDN's copies.

Public copies are encrypted with S3's own keys (SSE-S3): CloudFront cannot decrypt objects under
the bucket's default KMS key, and these bytes are public anyway.
"""

from __future__ import annotations

from typing import Any

from eckospace import aws
from eckospace.items import from_item
from eckospace.media import settings, store

# Browsers keep a public image five minutes; the CDN a day, unless it is invalidated sooner.
PUBLIC_CACHE_CONTROL = "public, max-age=300, s-maxage=86400"
PUBLIC_PREFIX = "public"


def public_key(media_id: str, name: str) -> str:
    return f"{PUBLIC_PREFIX}/{media_id}/{name}"


def is_public(record: dict[str, Any] | None) -> bool:
    """Whether the CDN may serve this media: a ready image attached to something public."""
    return bool(record and record.get("kind") == "image" and store.attached_to_public(record))


def public_copies(record: dict[str, Any]) -> dict[str, str]:
    """Each stored object of a public image, by the public key it is served under."""
    media_id = record["id"]
    variants = {
        public_key(media_id, f"{variant}.jpg"): store.variant_key(media_id, variant)
        for variant in record.get("variants", [])
    }
    return {public_key(media_id, "original"): record["object_key"], **variants}


def changed_media(stream_record: dict[str, Any]) -> str | None:
    """The media id a media table stream record concerns, when the change may affect what is public
    (it was public before, or is now); None for every other change (uploads, counters)."""
    change = stream_record.get("dynamodb", {})
    media_id = change.get("Keys", {}).get("id", {}).get("S", "")
    if not media_id.startswith("med_"):
        return None
    before, after = (from_item(change[image]) if image in change else None for image in ("OldImage", "NewImage"))
    return media_id if is_public(before) or is_public(after) else None


def converge(media_id: str, *, change_id: str) -> str:
    """Make `public/<media_id>/` what the media record says now; returns "published" or "withdrawn".
    `change_id` (the stream record's id) makes a retried invalidation the same invalidation."""
    record = store.get_record(media_id, consistent=True)
    if is_public(record):
        assert record is not None
        s3 = aws.client("s3")
        for target, source in public_copies(record).items():
            if _exists(target):  # a ready image's bytes never change: a copy made once stays right
                continue
            s3.copy_object(
                Bucket=store.bucket(),
                Key=target,
                CopySource={"Bucket": store.bucket(), "Key": source},
                ContentType="image/jpeg" if target.endswith(".jpg") else record["media_type"],
                CacheControl=PUBLIC_CACHE_CONTROL,
                ServerSideEncryption="AES256",
                MetadataDirective="REPLACE",
            )
        return "published"
    _delete_every_version(f"{PUBLIC_PREFIX}/{media_id}/")
    aws.client("cloudfront").create_invalidation(
        DistributionId=settings.CDN_DISTRIBUTION(),
        InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": [f"/{PUBLIC_PREFIX}/{media_id}/*"]},
            "CallerReference": change_id,
        },
    )
    return "withdrawn"


def _exists(key: str) -> bool:
    s3 = aws.client("s3")
    try:
        s3.head_object(Bucket=store.bucket(), Key=key)
    except s3.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True


def _delete_every_version(prefix: str) -> None:
    """Delete for good: in the versioned bucket a plain delete would leave the bytes behind a marker."""
    s3 = aws.client("s3")
    listed = s3.list_object_versions(Bucket=store.bucket(), Prefix=prefix)
    for entry in listed.get("Versions", []) + listed.get("DeleteMarkers", []):
        store.delete_object(entry["Key"], entry["VersionId"])
