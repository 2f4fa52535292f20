"""Push: each new notification goes to its user's private realtime channel as it is written (the
notifications table's stream), as `notification.created` with the notification's API body."""

from __future__ import annotations

from typing import Any

from eckospace.notifications import store
from eckospace.realtime.broadcasting import broadcast

EVENT = "notification.created"


def user_channel(user: str) -> str:
    return f"private-users.{user}"


def push(record: dict[str, Any]) -> bool:
    """Broadcast the notification a stream record inserted; False for any other record."""
    image = (record.get("dynamodb") or {}).get("NewImage")
    if record.get("eventName") != "INSERT" or not image or not store.is_notification(image):
        return False
    broadcast([user_channel(image["user"]["S"])], EVENT, store.view(image))
    return True
