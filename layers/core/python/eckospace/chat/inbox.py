"""The inbox function's work: each new message, from the chat table's stream, reaches every
member's inbox copy of its conversation (`last_seq`, `last_message`, the activity that sorts the
inbox) and their unread totals; an edit or deletion of the newest message changes the copies of it.

Each member moves in a transaction conditional on the state read, with their total moved by exactly
as much as their unread count changed, so totals stay exact whatever reads and sends happen
meanwhile. Copies only move forward: a record seen again, or an older one after a newer, changes
nothing.
"""

from __future__ import annotations

from typing import Any

from eckospace import aws
from eckospace.chat import store
from eckospace.chat.conversations import members
from eckospace.transactions import Cancelled, transact

ATTEMPTS = 10


def message_of(record: dict[str, Any]) -> dict[str, Any] | None:
    """The message a stream record wrote (inserted or changed), if it is one."""
    if record.get("eventName") not in ("INSERT", "MODIFY"):
        return None
    image = (record.get("dynamodb") or {}).get("NewImage") or {}
    if image.get("type", {}).get("S") != "message":
        return None
    return store.from_item(image)


def apply(record: dict[str, Any]) -> None:
    message = message_of(record)
    if message is None:
        return
    if record["eventName"] == "INSERT":
        deliver(message)
    else:
        refresh(message)


def refresh(message: dict[str, Any]) -> None:
    """An edited or deleted message: the copies of members whose newest it still is."""
    from eckospace.chat.messages import summary

    dynamodb = aws.client("dynamodb")
    for member in members(message["conversation_id"]):
        if member["last_seq"] != message["seq"]:
            continue
        try:
            dynamodb.update_item(
                TableName=store.table(),
                Key=store.member_key(message["conversation_id"], member["user"]),
                UpdateExpression="SET last_message = :m",
                ConditionExpression="last_seq = :seq",
                ExpressionAttributeValues={":m": store.attribute(summary(message)), ":seq": {"N": str(message["seq"])}},
            )
        except dynamodb.exceptions.ConditionalCheckFailedException:
            pass  # a newer message took its place meanwhile


def deliver(message: dict[str, Any]) -> None:
    from eckospace.chat.messages import summary

    for member in members(message["conversation_id"]):
        _advance(member, message["seq"], summary(message))


def _advance(member: dict[str, Any], seq: int, last_message: dict[str, Any]) -> None:
    conversation, user = member["conversation_id"], member["user"]
    for _ in range(ATTEMPTS):
        if member["last_seq"] >= seq:
            return
        before, after = store.unread(member), store.unread(member | {"last_seq": seq})
        operations = [
            (
                "member",
                {
                    "Update": {
                        "TableName": store.table(),
                        "Key": store.member_key(conversation, user),
                        "UpdateExpression": "SET last_seq = :seq, last_message = :m, activity_ms = :at, inbox_sk = :sk",
                        "ConditionExpression": "last_seq = :copy AND last_read_seq = :read",
                        "ExpressionAttributeValues": {
                            ":seq": {"N": str(seq)},
                            ":m": store.attribute(last_message),
                            ":at": {"N": str(last_message["created_ms"])},
                            ":sk": {"S": store.inbox_sort_key(last_message["created_ms"], conversation)},
                            ":copy": {"N": str(member["last_seq"])},
                            ":read": {"N": str(member["last_read_seq"])},
                        },
                    }
                },
            )
        ]
        if after != before:
            operations.append(("total", store.total_update(user, after - before)))
        try:
            transact(operations)
            return
        except Cancelled:
            item = (
                aws.client("dynamodb")
                .get_item(TableName=store.table(), Key=store.member_key(conversation, user), ConsistentRead=True)
                .get("Item")
            )
            if item is None:
                return  # no longer a member
            member = store.from_item(item)
    raise RuntimeError(f"could not update the inbox of a member of {conversation}")
