"""Each user's daily upload allowance (count and bytes), held exactly in DynamoDB.

Usage plans throttle an integration as a whole; this limit is per person and must not be exceeded
by concurrent uploads, so it is one conditional counter update per upload, counted before anything
is stored. The counter item lives in the media table under `quota#<user>#<UTC day>`.
"""

from __future__ import annotations

import time

from eckospace import aws
from eckospace.allowances import counter_expiry, day_of, seconds_until_tomorrow
from eckospace.http.problems import TooManyRequests
from eckospace.media import settings, store


def charge(owner: str, size: int, *, now: float | None = None) -> None:
    """Count one upload of `size` bytes against today's allowance, or refuse it with 429."""
    now = time.time() if now is None else now
    day = day_of(now)
    max_uploads = settings.DAILY_UPLOADS()
    max_bytes = settings.DAILY_UPLOAD_BYTES()
    retry_after = seconds_until_tomorrow(now)
    if size > max_bytes:
        raise _exhausted(retry_after, max_uploads, max_bytes)
    dynamodb = aws.client("dynamodb")
    try:
        dynamodb.update_item(
            TableName=store.table(),
            Key={"id": {"S": f"quota#{owner}#{day}"}},
            UpdateExpression="ADD uploads :one, upload_bytes :size SET expires_at = :expires",
            ConditionExpression="attribute_not_exists(uploads) OR (uploads < :max_uploads AND upload_bytes <= :room)",
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":size": {"N": str(size)},
                ":expires": {"N": str(counter_expiry(now))},
                ":max_uploads": {"N": str(max_uploads)},
                ":room": {"N": str(max_bytes - size)},
            },
        )
    except dynamodb.exceptions.ConditionalCheckFailedException:
        raise _exhausted(retry_after, max_uploads, max_bytes) from None


def _exhausted(retry_after: int, max_uploads: int, max_bytes: int) -> TooManyRequests:
    return TooManyRequests(
        f"Your daily upload allowance ({max_uploads} uploads, {max_bytes} bytes) is used up; "
        "it renews at midnight UTC.",
        retry_after=retry_after,
        daily_uploads=max_uploads,
        daily_bytes=max_bytes,
    )
