"""What the notifications routes take and answer, for the OpenAPI document (imported when the
document is generated or a body is validated; handlers answer plain dicts)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

NotificationType = Literal[
    "mention",
    "reaction",
    "post_moderated",
    "report_resolved",
    "wallet_credited",
    "wallet_debited",
    "chat_message",
    "listing_reviewed",
    "listing_expiring",
    "job_reviewed",
    "job_expiring",
    "application_updated",
    "application_received",
    "contact_message",
]


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Subject(Shape):
    object: Literal["post", "report", "wallet_entry", "conversation", "listing", "job", "application", "contact"] = (
        Field(description="What the notification is about")
    )
    id: str


class Notification(Shape):
    id: str = Field(description="`ntf_` and 32 hex digits; ids sort by creation time")
    object: Literal["notification"]
    type: NotificationType
    created_at: datetime
    read: bool
    read_at: datetime | None = Field(description="When you marked it read; null while unread")
    actor: str | None = Field(description="The user whose act it reports; null for moderators and payments")
    subject: Subject
    data: dict[str, Any] = Field(
        description=(
            "By type: `reaction` {reaction}; `post_moderated` {action, reason}; `report_resolved` "
            "{post_id, action} for a post, {conversation_id, message_id, action} for a chat message, "
            "{contact_id, message_id, action} for a contact's message, {listing_id, "
            "action} for a listing, {job_id, action} for a job; "
            "`wallet_credited` and `wallet_debited` {amount, currency}; `chat_message` {message_id, preview} (the "
            "first message you missed); `listing_reviewed` and `job_reviewed` {status, title, reason} (reason: a "
            "rejection's, else null); `listing_expiring` and `job_expiring` {title, expires_at}; `application_updated` "
            "{job_id, job_title, status}; `application_received` {job_id, job_title}; `contact_message` {message_id, "
            "posting: {object, id}, preview} (a relayed contact's message; with chat on, `chat_message` tells); "
            "`mention` {}"
        )
    )


class NotificationPage(Shape):
    data: list[Notification] = Field(description="Newest first")
    next_cursor: str | None = Field(description="Pass it back as `cursor` for the next page; null on the last")


class UnreadCount(Shape):
    object: Literal["unread_count"]
    unread: int = Field(ge=0)


class ReadAll(Shape):
    object: Literal["read_all"]
    marked: int = Field(ge=0, description="How many notifications this marked read")


class NotificationTypes(Shape):
    """Each type on (true) or off (false); in a PUT, a type left out is on."""

    mention: bool = True
    reaction: bool = True
    post_moderated: bool = True
    report_resolved: bool = True
    wallet_credited: bool = True
    wallet_debited: bool = True
    chat_message: bool = True
    listing_reviewed: bool = True
    listing_expiring: bool = True
    job_reviewed: bool = True
    job_expiring: bool = True
    application_updated: bool = True
    application_received: bool = True
    contact_message: bool = True


class NotificationPreferences(Shape):
    object: Literal["notification_preferences"]
    types: NotificationTypes


class PreferencesUpdate(Shape):
    types: NotificationTypes
