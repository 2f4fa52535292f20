"""Expiry: a published listing or job expires 30 days after it was last published or renewed, and
its owner is told 3 days before (`listing.expiring` or `job.expiring`, once per expiry date:
renewing makes a new one).

The sweeper runs every few minutes. Each run reads the `Expiry` index, one partition per day,
from a week back (so a sweeper that was down for days still finds what it missed) to 3 days
ahead. Browsing and saved items already leave out a listing past its time, so a late sweep is
never seen by readers; it only moves the status (`expired`, announced as `listing.expired` or
`job.expired`) and withdraws the posting's media from the CDN.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from eckospace import aws, timestamps
from eckospace.errors import Conflict
from eckospace.events import DomainEvent, publish, stable_event_id
from eckospace.ids import sort_key
from eckospace.marketplace import lifecycle, postings, store
from eckospace.marketplace.kinds import KINDS, kind_of

REMIND_BEFORE_MS = 3 * 24 * 3600 * 1000
LOOKBACK_DAYS = 7
_KIND_BY_NOUN = {kind.noun: kind for kind in KINDS}


def sweep(now_ms: int | None = None) -> dict[str, int]:
    """Expire what is due and remind what is due soon; how many of each."""
    now = store.now_ms() if now_ms is None else now_ms
    done = {"expired": 0, "reminded": 0}
    for entry in _due(now):
        if entry["expires_ms"] <= now:
            done["expired"] += _expire(entry["posting_id"], now)
        elif entry.get("reminded_for") != entry["expires_ms"]:
            _remind(entry)
            done["reminded"] += 1
    return done


def _days(now: int) -> list[str]:
    today = datetime.fromtimestamp(now / 1000, UTC).date()
    return [
        (today + timedelta(days=offset)).isoformat()
        for offset in range(-LOOKBACK_DAYS, REMIND_BEFORE_MS // (24 * 3600 * 1000) + 1)
    ]


def _due(now: int) -> list[dict[str, Any]]:
    """Each published posting expiring before `now` plus the reminder time: its id, expiry, owner,
    title and the expiry it was last reminded of (projected into the index)."""
    client, found = aws.client("dynamodb"), []
    until = sort_key(now + REMIND_BEFORE_MS, "~")
    for day in _days(now):
        request: dict[str, Any] = {
            "TableName": store.table(),
            "IndexName": store.EXPIRY,
            "KeyConditionExpression": "expiry_pk = :p AND expiry_sk <= :until",
            "ExpressionAttributeValues": {":p": {"S": f"expiry#{day}"}, ":until": {"S": until}},
        }
        while True:
            page = client.query(**request)
            for item in page.get("Items", []):
                noun, _, posting_id = item["pk"]["S"].partition("#")
                kind = _KIND_BY_NOUN.get(noun)
                if kind and kind.ids.match(posting_id):
                    found.append(
                        {
                            "posting_id": posting_id,
                            "expires_ms": int(item["expiry_sk"]["S"].partition("#")[0]),
                            "owner": item[kind.owner]["S"],
                            "title": item["title"]["S"],
                            "reminded_for": int(item["reminded_for"]["N"]) if "reminded_for" in item else None,
                        }
                    )
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return found


def _expire(posting_id: str, now: int) -> int:
    kind = kind_of(posting_id)
    posting = store.load(posting_id, kind)
    if posting is None or posting["status"] != lifecycle.PUBLISHED or posting["expires_ms"] > now:
        return 0  # renewed, sold or withdrawn since the index was read
    try:
        expired = postings.move(posting, "expire")
    except Conflict:
        return 0  # changed meanwhile: the next run sees it as it is then
    postings.announce(kind.events["expire"], expired)
    return 1


def _remind(entry: dict[str, Any]) -> None:
    """Announce the coming expiry (the same event id for the same expiry date, so a run that
    fails before marking it publishes nothing new), then mark it reminded."""
    posting_id, expires_ms = entry["posting_id"], entry["expires_ms"]
    kind = kind_of(posting_id)
    publish(
        DomainEvent(
            kind.expiring,
            {
                f"{kind.noun}_id": posting_id,
                kind.owner: entry["owner"],
                "title": entry["title"],
                "expires_at": timestamps.from_ms(expires_ms),
            },
            subject=posting_id,
            id=stable_event_id(f"{kind.expiring}:{posting_id}:{expires_ms}"),
        )
    )
    client = aws.client("dynamodb")
    try:
        client.update_item(
            TableName=store.table(),
            Key=store.key(posting_id),
            UpdateExpression="SET reminded_for = :expires",
            ConditionExpression="expires_ms = :expires",
            ExpressionAttributeValues={":expires": {"N": str(expires_ms)}},
        )
    except client.exceptions.ConditionalCheckFailedException:
        pass  # renewed meanwhile: its new expiry gets a reminder of its own
