"""What chat broadcasts on `private-conversations.{id}`: `message.created`, `message.updated`,
`message.deleted` and `conversation.read`, to the conversation's members who follow it."""

from __future__ import annotations

from typing import Any

from eckospace.observability import logger
from eckospace.realtime.broadcasting import broadcast


def channel(conversation: str) -> str:
    return f"private-conversations.{conversation}"


def announce(conversation: str, event: str, payload: dict[str, Any], *, except_socket: str | None) -> None:
    """Broadcast a change already stored. A broadcast that fails is logged, not raised: the change
    stands, and clients catch up from history when they reconnect."""
    try:
        broadcast([channel(conversation)], event, payload, except_socket=except_socket)
    except Exception:
        logger().exception("chat broadcast failed", extra={"event": event})
