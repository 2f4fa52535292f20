"""The notifications table (`ECKO_NOTIFICATIONS_TABLE`): one partition per user.

Items (pk / sk):
- `user#<id>` / `ntf_<time><hash>`: a notification. Its id is its sort key: twelve hex digits of
  its time in epoch ms (so ids sort newest last) and a hash of its cause, so the same cause (an
  event delivered twice, a retried transaction) makes the same id, which a conditional put writes
  once. `read_at` (epoch ms) once read; `expires_at` (epoch s) for DynamoDB's TTL, 90 days on.
- `user#<id>` / `cause#<hash>`: the cause a notification was made for, written with it: an event
  published again (a retry: the same event id at another time, so another notification id) is
  refused by it. Expires with the notification.
- `user#<id>` / `unread`: the user's unread counter (`count`), changed in the transaction that
  creates or reads a notification.
- `user#<id>` / `preferences`: the notification types the user switched `off`.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from eckospace import timestamps
from eckospace.items import attribute, from_item, to_item
from eckospace.notifications import settings

TTL_SECONDS = 90 * 86_400
PREFIX = "ntf_"
NOTIFICATION_ID = re.compile(r"\Antf_[0-9a-f]{32}\Z")
UNREAD, PREFERENCES = "unread", "preferences"


def table() -> str:
    return settings.TABLE()


def user_pk(user: str) -> dict[str, Any]:
    return {"S": f"user#{user}"}


def key(user: str, sk: str) -> dict[str, Any]:
    return {"pk": user_pk(user), "sk": {"S": sk}}


def notification_id(cause: str, at_ms: int) -> str:
    return f"{PREFIX}{at_ms:012x}{hashlib.sha256(cause.encode()).hexdigest()[:20]}"


def record(
    user: str,
    kind: str,
    *,
    cause: str,
    at_ms: int,
    actor: str | None,
    subject: dict[str, str],
    data: dict[str, Any],
) -> dict[str, Any]:
    """A new notification for `user` of type `kind`, made by `cause` (unique per user and type)."""
    cause_key = f"{kind}:{user}:{cause}"
    nid = notification_id(cause_key, at_ms)
    return {
        "cause": hashlib.sha256(cause_key.encode()).hexdigest()[:32],
        "pk": f"user#{user}",
        "sk": nid,
        "id": nid,
        "type": kind,
        "user": user,
        "actor": actor,
        "subject": subject,
        "data": data,
        "created_ms": at_ms,
        "expires_at": at_ms // 1000 + TTL_SECONDS,
    }


def create_operations(notification: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The notification and its cause's marker, each written only if absent (a duplicate cancels
    the transaction), and its user's unread counter, in one transaction."""
    user = notification["user"]
    marker = {
        "pk": notification["pk"],
        "sk": f"cause#{notification['cause']}",
        "expires_at": notification["expires_at"],
    }
    return [
        (
            f"notification:{user}",
            {
                "Put": {
                    "TableName": table(),
                    "Item": to_item(notification),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ),
        (
            f"cause:{user}",
            {"Put": {"TableName": table(), "Item": to_item(marker), "ConditionExpression": "attribute_not_exists(pk)"}},
        ),
        (
            f"unread:{user}",
            {
                "Update": {
                    "TableName": table(),
                    "Key": key(user, UNREAD),
                    "UpdateExpression": "ADD #count :one",
                    "ExpressionAttributeNames": {"#count": "count"},
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
        ),
    ]


def is_notification(item: dict[str, Any]) -> bool:
    return str(item.get("sk", {}).get("S", "")).startswith(PREFIX)


def view(item: dict[str, Any]) -> dict[str, Any]:
    """A stored notification (a DynamoDB item) as the API shows it."""
    found = from_item(item)
    return {
        "id": found["id"],
        "object": "notification",
        "type": found["type"],
        "created_at": timestamps.from_ms(found["created_ms"]),
        "read": "read_at" in found,
        "read_at": timestamps.from_ms(found.get("read_at")),
        "actor": found.get("actor"),
        "subject": found["subject"],
        "data": found.get("data") or {},
    }


def preferences_key(user: str) -> dict[str, Any]:
    return key(user, PREFERENCES)


def switched_off(item: dict[str, Any] | None) -> set[str]:
    return set(from_item(item).get("off") or []) if item else set()


def preferences_item(user: str, off: set[str]) -> dict[str, Any]:
    return {**preferences_key(user), "off": attribute(sorted(off))}


def off_for(users: list[str]) -> dict[str, set[str]]:
    """Each user's switched-off types: one BatchGetItem for up to 100 users."""
    from eckospace import aws

    found: dict[str, set[str]] = {user: set() for user in users}
    for start in range(0, len(users), 100):
        chunk = users[start : start + 100]
        request = {
            table(): {
                "Keys": [preferences_key(user) for user in chunk],
                "ProjectionExpression": "pk, #off",
                "ExpressionAttributeNames": {"#off": "off"},
            }
        }
        for item in aws.batch_get(request)[table()]:
            found[item["pk"]["S"].removeprefix("user#")] = switched_off(item)
    return found
