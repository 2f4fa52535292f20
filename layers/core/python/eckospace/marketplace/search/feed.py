"""From the marketplace table's stream to the indexer: each change that may change what search finds
(a listing or job published, changed while published, or no longer published) names the posting in
the search queue. Each message is deduplicated by the change it is for, so a retried stream batch
sends nothing twice.

The queue is FIFO with one message group per kind: each kind's index has its own writer, one batch
at a time, so two writers never race on an index, while the two kinds' batches may run side by side
and a message that fails holds up only its own kind's (one group for both would serialize them for
nothing: they never share an index)."""

from __future__ import annotations

import json
from typing import Any

from eckospace import aws
from eckospace.marketplace import lifecycle
from eckospace.marketplace.kinds import KINDS, Kind, kind_of
from eckospace.marketplace.search import settings

_NOUNS = {kind.noun for kind in KINDS}


def group(kind: Kind) -> str:
    """The message group of a kind's changes."""
    return f"{kind.noun}s"


def changed_posting(record: dict[str, Any]) -> str | None:
    """The id of the posting a stream record changed, if search may find it before or after."""
    change = record.get("dynamodb", {})
    images = [change.get(name) or {} for name in ("OldImage", "NewImage")]
    noun = change.get("Keys", {}).get("sk", {}).get("S")
    if noun not in _NOUNS:
        return None
    if not any(image.get("status", {}).get("S") == lifecycle.PUBLISHED for image in images):
        return None
    return str(change["Keys"]["pk"]["S"]).removeprefix(f"{noun}#")


def enqueue(posting_id: str, *, change_id: str) -> None:
    aws.client("sqs").send_message(
        QueueUrl=settings.QUEUE(),
        MessageBody=json.dumps({"posting_id": posting_id}),
        MessageGroupId=group(kind_of(posting_id)),
        MessageDeduplicationId=change_id,
    )


def posting_to_index(body: str) -> str:
    """The listing or job a queue message names; ValueError if it names none."""
    message = json.loads(body)
    # `listing_id`: messages sent before jobs were searchable
    posting_id = message.get("posting_id", message.get("listing_id"))
    if not isinstance(posting_id, str) or not any(kind.ids.match(posting_id) for kind in KINDS):
        raise ValueError("the message names no listing or job")
    return posting_id
