"""What callers see of conversations, messages and read state (described for the OpenAPI document
by `eckospace.chat.models`)."""

from __future__ import annotations

from typing import Any

from eckospace import timestamps
from eckospace.chat import store


def last_message_view(summary: dict[str, Any] | None) -> dict[str, Any] | None:
    if not summary:
        return None
    return {
        "id": store.message_id(summary["seq"]),
        "author": summary["author"],
        "text": summary.get("text"),
        "deleted": bool(summary.get("deleted")),
        "created_at": timestamps.from_ms(summary["created_ms"]),
    }


def conversation_view(member: dict[str, Any], head: dict[str, Any] | None = None) -> dict[str, Any]:
    """A conversation as one member sees it. With its head (one conversation read), the unread count
    is exact to the moment; from the member's inbox copy alone (the inbox), it trails new messages
    by the inbox function's delay."""
    latest = head or member
    read = int(member.get("last_read_seq", 0))
    return {
        "id": member["conversation_id"],
        "object": "conversation",
        "type": member["conversation_type"],
        "title": latest.get("title"),
        "peer": member.get("peer"),
        "role": member["role"],
        "muted": bool(member.get("muted")),
        "last_message": last_message_view(latest.get("last_message")),
        "unread_count": max(0, int(latest.get("last_seq", 0)) - read),
        "last_read_message_id": store.message_id(read) if read else None,
        "created_at": timestamps.from_ms(member["created_ms"]),
        "updated_at": timestamps.from_ms(latest["activity_ms"]),
    }


def message_view(message: dict[str, Any]) -> dict[str, Any]:
    deleted = bool(message.get("deleted_ms"))
    return {
        "id": store.message_id(message["seq"]),
        "object": "message",
        "conversation_id": message["conversation_id"],
        "seq": message["seq"],
        "author": message["author"],
        "client_message_id": message["client_message_id"],
        "text": None if deleted else message["text"],
        "attachments": [] if deleted else _attachments(message),
        "reply_to": store.message_id(message["reply_to"]) if message.get("reply_to") else None,
        "about": message.get("about"),
        "edited": bool(message.get("edited_ms")),
        "deleted": deleted,
        "removed_by": message.get("removed_by", "author") if deleted else None,
        "created_at": timestamps.from_ms(message["created_ms"]),
        "edited_at": timestamps.from_ms(message.get("edited_ms")),
        "deleted_at": timestamps.from_ms(message.get("deleted_ms")),
    }


def _attachments(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Attached media with presigned URLs: a conversation is never public."""
    summaries = message.get("attachments") or []
    if not summaries:
        return []
    from eckospace.media.attachments import attachment_view

    return [attachment_view(summary, public=False) for summary in summaries]


def read_state_view(conversation: str, user: str, last_read_seq: int, last_seq: int) -> dict[str, Any]:
    return {
        "object": "read_state",
        "conversation_id": conversation,
        "user": user,
        "last_read_message_id": store.message_id(last_read_seq) if last_read_seq else None,
        "unread_count": max(0, last_seq - last_read_seq),
    }
