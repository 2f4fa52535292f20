"""The realtime HTTP answers, for the OpenAPI document (the functions write plain dicts)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ChannelAuthorization(BaseModel):
    auth: str = Field(description="`<app key>:<hex HMAC-SHA256>`: send it as `auth` in `pusher:subscribe`")
    channel_data: str = Field(
        description='`{"user_id": "<your id>"}` (with `"user_info": {...}` on a presence channel) as a string, '
        "signed with `auth`: send it back unchanged in `pusher:subscribe`",
    )


class EventsAccepted(BaseModel):
    """Pusher's answer to a publish: an empty object once every event is queued for delivery."""


class ChannelSummary(BaseModel):
    user_count: int | None = Field(default=None, description="Presence members (with `info=user_count`)")
    subscription_count: int | None = Field(default=None, description="Connections (with `info=subscription_count`)")


class ChannelList(BaseModel):
    channels: dict[str, ChannelSummary] = Field(description="Occupied channels by name")


class ChannelInfo(BaseModel):
    occupied: bool
    user_count: int | None = None
    subscription_count: int | None = None


class ChannelUser(BaseModel):
    id: str


class ChannelUsers(BaseModel):
    users: list[ChannelUser]
