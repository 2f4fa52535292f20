"""The inbox function's work: each new message, from the chat table's stream, reaches every
member's inbox copy of its conversation (`last_seq`, `last_message`, the activity that sorts the
inbox) and their unread totals; an edit or deletion of the newest message changes the copies of it.

Each member moves in a transaction conditional on the state read, with their total moved by exactly
as much as their unread count changed, so totals stay exact whatever reads and sends happen
meanwhile. Copies only move forward: a record seen again, or an older one after a newer, changes
nothing.

Each new message is also announced as the domain event `chat.message_created` (for notifications),
once its inboxes moved, under an id derived from the message: a record delivered again publishes
the same event, which consumers deduplicate. It names the members to tell: everyone but the sender
who has not muted the conversation, with how far they had read. Not in the webhooks catalogue:
direct messages never go to integrations.
"""

from __future__ import annotations

from typing import Any

from eckospace import aws
from eckospace.chat import store
from eckospace.chat.conversations import members
from eckospace.events import DomainEvent, publish, stable_event_id
from eckospace.transactions import Cancelled, transact

ATTEMPTS = 10
MESSAGE_CREATED = "chat.message_created"
PREVIEW_CHARS = 140


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
        found = members(message["conversation_id"])
        deliver(message, found)
        announce(message, found)
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


def deliver(message: dict[str, Any], found: list[dict[str, Any]]) -> None:
    from eckospace.chat.messages import summary

    for member in found:
        _advance(member, message["seq"], summary(message))


def message_created(message: dict[str, Any], found: list[dict[str, Any]]) -> DomainEvent | None:
    """The event announcing a new message, or None when there is nobody to tell (or it is gone)."""
    author = message["author"]
    recipients = [
        {"user_id": member["user"], "last_read_seq": member["last_read_seq"]}
        for member in found
        if member["user"] != author and not member.get("muted")
    ]
    if message.get("deleted_ms") or not recipients:
        return None
    conversation, seq = message["conversation_id"], message["seq"]
    return DomainEvent(
        type=MESSAGE_CREATED,
        subject=conversation,
        id=stable_event_id(f"{MESSAGE_CREATED}:{conversation}:{seq}"),
        created=message["created_ms"] // 1000,
        data={
            "conversation_id": conversation,
            "message_id": store.message_id(seq),
            "seq": seq,
            "sender": author,
            "preview": (message.get("text") or "")[:PREVIEW_CHARS],
            "recipients": recipients,
        },
    )


def announce(message: dict[str, Any], found: list[dict[str, Any]]) -> None:
    event = message_created(message, found)
    if event is not None:
        publish(event)


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
