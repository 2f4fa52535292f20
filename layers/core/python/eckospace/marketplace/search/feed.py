"""From the marketplace table's stream to the indexer: each change that may change what search finds
(a listing published, changed while published, or no longer published) names the listing in the
search queue. The queue is FIFO with a single message group, so one indexer batch runs at a time
and two writers never race on the index; each message is deduplicated by the change it is for, so
a retried stream batch sends nothing twice."""

from __future__ import annotations

import json
from typing import Any

from eckospace import aws
from eckospace.marketplace import lifecycle
from eckospace.marketplace.search import settings

GROUP = "listings"


def changed_listing(record: dict[str, Any]) -> str | None:
    """The id of the listing a stream record changed, if search may find it before or after."""
    change = record.get("dynamodb", {})
    images = [change.get(name) or {} for name in ("OldImage", "NewImage")]
    if change.get("Keys", {}).get("sk", {}).get("S") != "listing":
        return None
    if not any(image.get("status", {}).get("S") == lifecycle.PUBLISHED for image in images):
        return None
    return str(change["Keys"]["pk"]["S"]).removeprefix("listing#")


def enqueue(listing_id: str, *, change_id: str) -> None:
    aws.client("sqs").send_message(
        QueueUrl=settings.QUEUE(),
        MessageBody=json.dumps({"listing_id": listing_id}),
        MessageGroupId=GROUP,
        MessageDeduplicationId=change_id,
    )


def listing_to_index(body: str) -> str:
    """The listing a queue message names; ValueError if it names none."""
    listing_id = json.loads(body).get("listing_id")
    if not isinstance(listing_id, str) or not listing_id:
        raise ValueError("the message names no listing")
    return listing_id
