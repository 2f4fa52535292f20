"""What chat broadcasts on `private-conversations.{id}`: `message.created`, `message.updated`,
`message.deleted`, `conversation.read`, `conversation.updated`, `member.added` and
`member.removed`, to the conversation's members who follow it; and `conversation.left` to the
connections of someone who left, as they are taken out of the conversation's channels."""

from __future__ import annotations

from typing import Any

from eckospace.observability import logger
from eckospace.realtime.broadcasting import broadcast, evict


def channel(conversation: str) -> str:
    return f"private-conversations.{conversation}"


def presence_channel(conversation: str) -> str:
    return f"presence-conversations.{conversation}"


def announce(conversation: str, event: str, payload: dict[str, Any], *, except_socket: str | None) -> None:
    """Broadcast a change already stored. A broadcast that fails is logged, not raised: the change
    stands, and clients catch up from history when they reconnect."""
    try:
        broadcast([channel(conversation)], event, payload, except_socket=except_socket)
    except Exception:
        logger().exception("chat broadcast failed", extra={"event": event})


def shut_out(conversation: str, user: str) -> None:
    """`user` left or was removed: their connections stop hearing the conversation now, not when
    they reconnect. Logged, not raised, when it fails, as a broadcast is."""
    try:
        evict(user, [channel(conversation), presence_channel(conversation)], "conversation.left", {"id": conversation})
    except Exception:
        logger().exception("chat eviction failed")
