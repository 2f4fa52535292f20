"""What the chat routes answer, for the OpenAPI document (imported only when it is generated).
Handlers return the plain dicts of `eckospace.chat.views`; these describe them exactly."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from eckospace.media.models import Attachment


def _not_always_present(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def sometimes(description: str) -> Any:
    """A key present in some answers only: not required, and never null when present."""
    return Field(default=None, description=description, json_schema_extra=_not_always_present)


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LastMessage(Shape):
    id: str
    author: str
    text: str | None = Field(description="Null once the message is deleted")
    deleted: bool
    created_at: datetime


class Member(Shape):
    user_id: str
    role: Literal["owner", "admin", "member"]


class Conversation(Shape):
    id: str = Field(description="`dm_` and 32 hex digits for a direct conversation, `grp_` for a group")
    object: Literal["conversation"]
    type: Literal["direct", "group"]
    title: str | None = Field(description="A group's title; null for a direct conversation")
    peer: str | None = Field(description="In a direct conversation, the other person's user id; null for a group")
    role: Literal["owner", "admin", "member"] = Field(description="Your role")
    muted: bool = Field(description="Whether you muted it")
    last_message: LastMessage | None = Field(description="The newest message; null before the first")
    unread_count: int = Field(
        description="Messages after your last read one: exact on `GET /api/conversations/{conversation_id}`, "
        "at most moments behind in the inbox"
    )
    last_read_message_id: str | None = Field(description="The last message you read; null for none")
    created_at: datetime
    updated_at: datetime = Field(description="The latest activity: the newest message, or the creation")
    members: list[Member] = sometimes(
        "Not in the inbox: the members and their roles (a direct conversation's two are `member`s)"
    )


class ConversationPage(Shape):
    data: list[Conversation] = Field(description="Your conversations, latest activity first")
    next_cursor: str | None = Field(description="Pass it back as `cursor` for the next page; null on the last")
    unread_total: int | None = Field(
        description="Unread messages over all your conversations, on the first page; null on later pages"
    )


class About(Shape):
    object: Literal["listing", "job"]
    id: str


class Message(Shape):
    id: str = Field(description="`msg_` and the message's number in its conversation")
    object: Literal["message"]
    conversation_id: str
    seq: int = Field(description="1 for the first message, then one more for each, without gaps")
    author: str
    client_message_id: str = Field(description="The id the sender's client gave it")
    text: str | None = Field(description="Null once deleted")
    attachments: list[Attachment] = Field(
        description="Attached media, with presigned URLs valid five minutes; empty once deleted"
    )
    reply_to: str | None = Field(description="The message this one answers, if any")
    about: About | None = Field(
        description="The listing or job a message sent through its contact route asks about; null for others"
    )
    edited: bool
    deleted: bool = Field(description="A tombstone: the message was deleted; its place in the history stays")
    removed_by: Literal["author", "moderation"] | None = Field(
        description="Who deleted it: its `author`, or `moderation` (a moderator removed it); null unless deleted"
    )
    created_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None


class MessagePage(Shape):
    data: list[Message] = Field(description="Messages, newest first")
    next_cursor: str | None = Field(description="Pass it back as `cursor` for the next (older) page; null on the last")


class ReadState(Shape):
    object: Literal["read_state"]
    conversation_id: str
    user: str
    last_read_message_id: str | None
    unread_count: int = Field(description="Messages after the last read one, now")


class Block(Shape):
    object: Literal["block"]
    user_id: str = Field(description="The person you blocked")
    created_at: datetime


class BlockPage(Shape):
    data: list[Block] = Field(description="The people you blocked, by user id")
    next_cursor: str | None = Field(description="Pass it back as `cursor` for the next page; null on the last")
