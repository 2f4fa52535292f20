"""Reports of chat messages and the moderators' decisions on them (the reports themselves, the
queue and their resolution are `eckospace.moderation`'s).

A member reports a message of their conversation that someone else wrote and that is not a
tombstone. The report keeps a snapshot of the message as it was, so moderators judge it without
reading the conversation: they see reported messages, never conversations. A decision removes the
message (the tombstone its author's deletion leaves, marked as the moderators') or dismisses the
reports; either resolves every open report of the message.
"""

from __future__ import annotations

from typing import Any

from eckospace import timestamps
from eckospace.chat import store
from eckospace.chat.conversations import read_state
from eckospace.chat.messages import remove_message, stored_message
from eckospace.errors import Conflict, NotFound
from eckospace.moderation import reports
from eckospace.moderation.reports import Subject


def _no_message(message_id: str) -> NotFound:
    return NotFound(f"No message {message_id[:40]} in this conversation.")


def snapshot(message: dict[str, Any]) -> dict[str, Any]:
    """What a report keeps of the message as it was reported."""
    return {
        "text": message["text"],
        "sender": message["author"],
        "sent_at": timestamps.from_ms(message["created_ms"]),
        "edited_at": timestamps.from_ms(message.get("edited_ms")),
        "attachment_ids": [summary["id"] for summary in message.get("attachments") or []],
    }


def report_message(
    conversation: str, reporter: str, message_id: str, *, reason: str, note: str | None
) -> dict[str, Any]:
    seq = store.seq_of(message_id)
    if seq is None:
        raise _no_message(message_id)
    _head, _member, message = read_state(conversation, reporter, extra=(store.message_key(conversation, seq),))
    if not message or message.get("deleted_ms"):
        raise _no_message(message_id)
    if message["author"] == reporter:
        raise Conflict("You cannot report your own message; delete it instead.")
    return reports.file_report(
        Subject.chat_message(conversation, message_id), reporter, reason=reason, note=note, snapshot=snapshot(message)
    )


def decide(
    conversation: str, message_id: str, moderator: str, *, action: str, reason: str
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The decision, and the tombstone it left (None unless it removed a message still there)."""
    head, message = stored_message(conversation, message_id)
    tombstone = remove_message(conversation, head, message) if action == "remove" else None
    decision = reports.decide(Subject.chat_message(conversation, message_id), moderator, action=action, reason=reason)
    return decision, tombstone
