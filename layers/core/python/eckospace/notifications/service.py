"""The notifications API's logic: their unread count, marking read, and which types a user wants
(the listing is `eckospace.notifications.listing`, the one piece that needs the cursor keys).

Every notification is its user's alone: another user's id answers exactly as a missing one (404).
"""

from __future__ import annotations

import time
from typing import Any

from eckospace import aws
from eckospace.errors import InvalidInput, NotFound, Unavailable
from eckospace.notifications import catalogue, store
from eckospace.transactions import Cancelled, transact

READ_ALL_CHUNK = 99  # a transaction holds 100 items: these and the counter
ATTEMPTS = 3


def _transact(operations: list[tuple[str, dict[str, Any]]]) -> None:
    """`transact`, tried again when it lost a race on the counter (a notification created meanwhile);
    503 when it keeps losing. A failed condition is the caller's to read."""
    for attempt in range(ATTEMPTS):
        try:
            transact(operations)
            return
        except Cancelled as cancelled:
            if cancelled.failed is not None or not cancelled.conflicted:
                raise
            time.sleep(0.02 * 2**attempt)
    raise Unavailable("Your notifications are changing; retry shortly.", retry_after=1)


def _now_ms() -> int:
    return int(time.time() * 1000)


def unread_count(user: str) -> dict[str, Any]:
    item = (
        aws.client("dynamodb")
        .get_item(TableName=store.table(), Key=store.key(user, store.UNREAD), ConsistentRead=True)
        .get("Item")
    )
    # never below zero: a notification TTL removed unread is not taken off the counter
    return {"object": "unread_count", "unread": max(0, int(item["count"]["N"])) if item else 0}


def _read_update(user: str, notification_id: str, ms: int) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": store.table(),
            "Key": store.key(user, notification_id),
            "UpdateExpression": "SET read_at = :now",
            "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(read_at)",
            "ExpressionAttributeValues": {":now": {"N": str(ms)}},
        }
    }


def _counter_down(user: str, by: int) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": store.table(),
            "Key": store.key(user, store.UNREAD),
            "UpdateExpression": "ADD #count :minus",
            "ExpressionAttributeNames": {"#count": "count"},
            "ExpressionAttributeValues": {":minus": {"N": str(-by)}},
        }
    }


def mark_read(user: str, notification_id: str) -> None:
    """Mark one notification read (again is a no-op); the counter drops in the same transaction."""
    if not store.NOTIFICATION_ID.match(notification_id):
        raise NotFound(f"No notification {notification_id}.")
    try:
        _transact(
            [
                ("notification", _read_update(user, notification_id, _now_ms())),
                ("unread", _counter_down(user, 1)),
            ]
        )
    except Cancelled as cancelled:
        if cancelled.failed != "notification":
            raise
        exists = aws.client("dynamodb").get_item(
            TableName=store.table(), Key=store.key(user, notification_id), ProjectionExpression="pk"
        )
        if "Item" not in exists:
            raise NotFound(f"No notification {notification_id}.") from None


def mark_all_read(user: str) -> dict[str, Any]:
    """Mark every unread notification read, a transaction per 99 of them; returns how many."""
    request: dict[str, Any] = {
        "TableName": store.table(),
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
        "FilterExpression": "attribute_not_exists(read_at)",
        "ProjectionExpression": "sk",
        "ExpressionAttributeValues": {":pk": store.user_pk(user), ":prefix": {"S": store.PREFIX}},
    }
    unread: list[str] = []
    client = aws.client("dynamodb")
    while True:
        page = client.query(**request)
        unread += [item["sk"]["S"] for item in page.get("Items", [])]
        if not page.get("LastEvaluatedKey"):
            break
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    marked, ms = 0, _now_ms()
    for start in range(0, len(unread), READ_ALL_CHUNK):
        chunk = unread[start : start + READ_ALL_CHUNK]
        try:
            _transact(
                [(nid, _read_update(user, nid, ms)) for nid in chunk] + [("unread", _counter_down(user, len(chunk)))]
            )
            marked += len(chunk)
        except Cancelled as cancelled:
            if cancelled.failed is None:
                raise
            # some were read meanwhile: one by one, each counted once
            for nid in chunk:
                try:
                    _transact([(nid, _read_update(user, nid, ms)), ("unread", _counter_down(user, 1))])
                    marked += 1
                except Cancelled as again:
                    if again.failed != nid:
                        raise
    return {"object": "read_all", "marked": marked}


def preferences_view(off: set[str]) -> dict[str, Any]:
    return {"object": "notification_preferences", "types": {kind: kind not in off for kind in catalogue.TYPES}}


def get_preferences(user: str) -> dict[str, Any]:
    item = (
        aws.client("dynamodb")
        .get_item(TableName=store.table(), Key=store.preferences_key(user), ConsistentRead=True)
        .get("Item")
    )
    return preferences_view(store.switched_off(item))


def put_preferences(user: str, types: dict[str, bool]) -> dict[str, Any]:
    """Replace the user's preferences: each type named on or off, every type not named on."""
    unknown = sorted(set(types) - set(catalogue.TYPES))
    if unknown:
        raise InvalidInput(
            f"Unknown notification types: {', '.join(unknown)}.",
            errors=[{"in": "body", "name": f"types.{kind}", "detail": "is no notification type"} for kind in unknown],
        )
    off = {kind for kind, on in types.items() if not on}
    aws.client("dynamodb").put_item(TableName=store.table(), Item=store.preferences_item(user, off))
    return preferences_view(off)
