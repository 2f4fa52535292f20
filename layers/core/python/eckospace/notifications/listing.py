"""A user's notifications, newest first, a page at a time (signed cursors)."""

from __future__ import annotations

from typing import Any

from eckospace import aws, cursors
from eckospace.notifications import store

LISTING = "notifications"


def list_notifications(user: str, *, limit: int, cursor: str | None, unread: bool) -> dict[str, Any]:
    """A page of the user's notifications, newest first; `unread` keeps only those not read yet."""
    scope = [user, "unread" if unread else "all"]
    start = cursors.decode_cursor(cursor, listing=LISTING, scope=scope)
    request: dict[str, Any] = {
        "TableName": store.table(),
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
        "ExpressionAttributeValues": {":pk": store.user_pk(user), ":prefix": {"S": store.PREFIX}},
        "ScanIndexForward": False,
    }
    if unread:
        request["FilterExpression"] = "attribute_not_exists(read_at)"
    found: list[dict[str, Any]] = []
    last: dict[str, Any] | None = None
    client = aws.client("dynamodb")
    while True:
        page = client.query(**request, Limit=limit - len(found), **({"ExclusiveStartKey": start} if start else {}))
        found += page.get("Items", [])
        start = page.get("LastEvaluatedKey")
        # a full page ends at its last item; a filtered page may need more reads to fill
        last = {"pk": found[-1]["pk"], "sk": found[-1]["sk"]} if len(found) == limit else start
        if len(found) == limit or not start:
            break
    return {
        "data": [store.view(item) for item in found],
        "next_cursor": cursors.encode_cursor(last, listing=LISTING, scope=scope),
    }
