"""What a connected client sends: `pusher:subscribe`, `pusher:unsubscribe`, `pusher:ping` and
client events. Each message gets at most one answer, sent back on the same connection (the
`$default` route's response): the pong, `subscription_succeeded`, or the protocol's error. A
refused message changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

from eckospace.realtime import settings, store
from eckospace.realtime.broadcasting import Delivery, publish
from eckospace.realtime.channels import Channel, InvalidChannel, Kind
from eckospace.realtime.connections import leave
from eckospace.realtime.protocol import (
    CLIENT_EVENT_PREFIX,
    CLIENT_EVENT_RATE_LIMIT,
    EVENT_NAME_MAX,
    PONG,
    UNAUTHORIZED,
    Message,
    ProtocolError,
    SubscriptionRefused,
    frame,
)
from eckospace.realtime.signatures import channel_auth_valid

CLIENT_EVENT_DATA_MAX = 10 * 1024  # bytes, as Pusher allows


def handle(connection_id: str, body: str | None) -> str | None:
    """The answer to one message, if it has one."""
    try:
        message = Message.parse(body)
        if message.event == "pusher:ping":
            return PONG
        if message.event == "pusher:pong":
            return None
        if message.event == "pusher:subscribe":
            return subscribe(connection_id, message)
        if message.event == "pusher:unsubscribe":
            unsubscribe(connection_id, message)
            return None
        if message.event.startswith(CLIENT_EVENT_PREFIX):
            client_event(connection_id, message)
            return None
        raise ProtocolError(None, f"Unsupported event: {message.event[:EVENT_NAME_MAX]}")
    except (ProtocolError, SubscriptionRefused) as refusal:
        return refusal.frame()


def _unknown_connection() -> ProtocolError:
    return ProtocolError(4200, "This connection is no longer known: reconnect")


def _socket_id(connection_id: str) -> str:
    record = store.connection(connection_id)
    if record is None:
        raise _unknown_connection()
    return str(record["socket_id"])


def _member(channel: Channel, socket_id: str, message: Message) -> tuple[str | None, Any]:
    """The user a subscription binds to, and their presence info; refuses a forged authorization."""
    if not channel.authorized:
        return None, None
    channel_data = message.data.get("channel_data")
    if channel.kind is Kind.PRIVATE and not isinstance(channel_data, str):
        channel_data = None  # an authorization that does not name its user (another server's signer)
    if channel.kind is Kind.PRESENCE and not isinstance(channel_data, str):
        raise SubscriptionRefused(channel.name, 400, "Presence subscriptions need channel_data (a JSON string)")
    if not channel_auth_valid(message.text("auth"), socket_id, channel.name, channel_data):
        raise SubscriptionRefused(channel.name, 401, f"Invalid signature for {channel.name}: authorize it again")
    if channel.kind is Kind.PRIVATE and channel_data is None:
        return channel.user(), None
    try:
        member = json.loads(channel_data or "")
        user_id = member["user_id"]
    except (ValueError, KeyError, TypeError):
        raise SubscriptionRefused(channel.name, 400, "channel_data must hold a user_id") from None
    if not isinstance(user_id, str | int) or isinstance(user_id, bool) or not str(user_id):
        raise SubscriptionRefused(channel.name, 400, "channel_data's user_id must be a string or a number")
    if channel.kind is Kind.PRIVATE:
        return str(user_id), None
    return str(user_id), member.get("user_info")


def subscribe(connection_id: str, message: Message) -> str:
    try:
        channel = Channel.parse(message.data.get("channel"))
    except InvalidChannel as error:
        raise ProtocolError(None, str(error)) from None
    socket_id = _socket_id(connection_id)
    user_id, user_info = _member(channel, socket_id, message)
    try:
        new = store.subscribe(
            connection_id,
            socket_id,
            channel.name,
            user_id=user_id,
            max_channels=settings.CHANNELS_PER_CONNECTION(),
        )
    except store.ChannelLimit:
        raise SubscriptionRefused(
            channel.name, 403, f"At most {settings.CHANNELS_PER_CONNECTION()} channels a connection", "LimitReached"
        ) from None
    except store.ConnectionGone:
        raise _unknown_connection() from None
    if new and user_id:
        _admit(connection_id, socket_id, channel, user_id, user_info)
    if channel.kind is Kind.PRESENCE:
        members = store.members(channel.name)
        presence = {"ids": list(members), "hash": members, "count": len(members)}
        return frame("pusher_internal:subscription_succeeded", {"presence": presence}, channel=channel.name)
    return frame("pusher_internal:subscription_succeeded", {}, channel=channel.name)


def _admit(connection_id: str, socket_id: str, channel: Channel, user_id: str, user_info: Any) -> None:
    """The limits that come with a user: connections per user, members per presence channel. A
    refusal takes the subscription back."""
    if not store.bind_to_user(connection_id, user_id, max_connections=settings.CONNECTIONS_PER_USER()):
        store.unsubscribe(connection_id, channel.name)
        raise SubscriptionRefused(
            channel.name, 403, f"At most {settings.CONNECTIONS_PER_USER()} connections a user", "LimitReached"
        )
    if channel.kind is not Kind.PRESENCE:
        return
    try:
        first = store.join_presence(channel.name, user_id, user_info, max_members=settings.PRESENCE_MEMBERS())
    except store.PresenceFull:
        store.unsubscribe(connection_id, channel.name)
        raise SubscriptionRefused(
            channel.name, 403, f"Presence channels hold at most {settings.PRESENCE_MEMBERS()} members", "LimitReached"
        ) from None
    if first:
        member = {"user_id": user_id, **({"user_info": user_info} if user_info is not None else {})}
        publish([Delivery(channel.name, "pusher_internal:member_added", json.dumps(member), except_socket=socket_id)])


def unsubscribe(connection_id: str, message: Message) -> None:
    name = message.data.get("channel")
    if not isinstance(name, str):
        raise ProtocolError(None, "pusher:unsubscribe needs data.channel")
    joined = store.membership(connection_id, name)
    if joined is not None:
        leave(connection_id, joined.get("socket_id"), name, joined.get("user_id"))


def client_event(connection_id: str, message: Message) -> None:
    """Pass a client event on to the channel's other connections: members of private and presence
    channels only, within the connection's allowance per second."""
    if len(message.event) > EVENT_NAME_MAX:
        raise ProtocolError(None, f"Event names are at most {EVENT_NAME_MAX} characters")
    try:
        channel = Channel.parse(message.channel)
    except InvalidChannel as error:
        raise ProtocolError(None, str(error)) from None
    if not channel.takes_client_events:
        raise ProtocolError(UNAUTHORIZED, "Client events are only for private and presence channels")
    joined = store.membership(connection_id, channel.name)
    if joined is None:
        raise ProtocolError(UNAUTHORIZED, f"Subscribe to {channel.name} before sending client events on it")
    data = message.payload if isinstance(message.payload, str) else json.dumps(message.payload, separators=(",", ":"))
    if len(data.encode()) > CLIENT_EVENT_DATA_MAX:
        raise ProtocolError(None, "Client event data is at most 10 KB")
    per_second = settings.CLIENT_EVENTS_PER_SECOND()
    if not store.count_client_event(connection_id, per_second):
        raise ProtocolError(
            CLIENT_EVENT_RATE_LIMIT, f"Rate limit exceeded: at most {per_second} client events a second"
        )
    user_id = joined.get("user_id") if channel.kind is Kind.PRESENCE else None
    publish([Delivery(channel.name, message.event, data, except_socket=joined.get("socket_id"), user_id=user_id)])
