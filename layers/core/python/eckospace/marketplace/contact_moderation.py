"""Reports of a relayed contact's messages, into the one moderation queue (`eckospace.moderation`),
and a moderator's decision on them: `remove` hides the message's text from both people for good
(`removed: true`), `dismiss` leaves it. Either resolves every open report of it. (A contact through
chat is a chat conversation: its messages are reported as chat messages.)

Either person may report the other's message; the report keeps a snapshot of it, since moderators
never read the contact itself.
"""

from __future__ import annotations

from typing import Any

from eckospace import aws, items, timestamps
from eckospace.errors import Conflict, NotFound
from eckospace.marketplace import contact, store
from eckospace.moderation import reports
from eckospace.moderation.reports import Subject


def _no_message(message_id: str) -> NotFound:
    return NotFound(f"No message {message_id[:40]} in this contact.")


def _message(contact_id: str, message_id: str) -> dict[str, Any]:
    key = contact.message_key(contact_id, message_id)
    found = key and aws.client("dynamodb").get_item(TableName=store.table(), Key=key, ConsistentRead=True).get("Item")
    if not found:
        raise _no_message(message_id)
    return contact.stored(found)


def report_message(contact_id: str, reporter: str, message_id: str, *, reason: str, note: str | None) -> dict[str, Any]:
    contact.relayed(contact_id, reporter)
    message = _message(contact_id, message_id)
    if message.get("removed_ms"):
        raise _no_message(message_id)
    if message["author"] == reporter:
        raise Conflict("You cannot report your own message.")
    snapshot = {
        "text": message["text"],
        "sender": message["author"],
        "sent_at": timestamps.from_ms(message["created_ms"]),
        "edited_at": None,  # relayed messages are never edited
        "attachment_ids": [],
    }
    return reports.file_report(
        Subject.contact_message(contact_id, message_id), reporter, reason=reason, note=note, snapshot=snapshot
    )


def decide(contact_id: str, message_id: str, moderator: str, *, action: str, reason: str) -> dict[str, Any]:
    if not contact.CONTACT_ID.match(contact_id):
        raise _no_message(message_id)
    message = _message(contact_id, message_id)
    if action == "remove" and not message.get("removed_ms"):
        _remove(contact_id, message)
    return reports.decide(Subject.contact_message(contact_id, message_id), moderator, action=action, reason=reason)


def _remove(contact_id: str, message: dict[str, Any]) -> None:
    """Hide the message's text, and the contact's preview of it if it is still the latest."""
    dynamodb = aws.client("dynamodb")
    key = contact.message_key(contact_id, message["id"])
    dynamodb.update_item(
        TableName=store.table(),
        Key=key,
        UpdateExpression="SET removed_ms = :now REMOVE #text",
        ExpressionAttributeNames={"#text": "text"},
        ExpressionAttributeValues={":now": items.attribute(store.now_ms())},
    )
    try:
        dynamodb.update_item(
            TableName=store.table(),
            Key={"pk": {"S": f"contact#{contact_id}"}, "sk": {"S": "contact"}},
            UpdateExpression="SET last_message.#text = :null",
            ConditionExpression="last_message.id = :id",
            ExpressionAttributeNames={"#text": "text"},
            ExpressionAttributeValues={":null": {"NULL": True}, ":id": {"S": message["id"]}},
        )
    except dynamodb.exceptions.ConditionalCheckFailedException:
        pass  # a later message is the contact's latest: its preview shows nothing removed
