"""A connection's life: connect, the welcome, and the cleanup after it ends.

`$connect` cannot send (API Gateway holds the upgrade until it returns), and pusher-js gives up on
a connection whose first frame is not `pusher:connection_established`. So `$connect` records the
connection and invokes the welcome function asynchronously; that one posts the frame as soon as
the connection accepts messages. A key or protocol the server does not serve is refused the same
way, with a first-frame `pusher:error` (4001, 4007), which pusher-js takes as "do not reconnect".
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from typing import Any

from eckospace import aws
from eckospace.realtime import settings, store
from eckospace.realtime.broadcasting import Delivery, publish
from eckospace.realtime.channels import Channel, Kind
from eckospace.realtime.fanout import gone, management
from eckospace.realtime.protocol import (
    APP_UNKNOWN,
    PROTOCOL_VERSIONS,
    UNSUPPORTED_PROTOCOL,
    ProtocolError,
    connection_established,
    new_socket_id,
)

WELCOME_SECONDS = 5.0  # how long the welcome waits for the connection to accept messages


def refusal(query: dict[str, str]) -> ProtocolError | None:
    """Why a new connection cannot be served, if it cannot. The key is checked when the front
    door passes it (`app_key`); the custom domain's API mapping admits only the app's key."""
    key = query.get("app_key")
    if key is not None and key != settings.APP_KEY():
        return ProtocolError(APP_UNKNOWN, f"App key {key[:64]} does not exist")
    protocol = query.get("protocol", "")
    if not protocol.isdigit() or int(protocol) not in PROTOCOL_VERSIONS:
        return ProtocolError(UNSUPPORTED_PROTOCOL, "Unsupported protocol version: 7 is current")
    return None


def connect(connection_id: str, query: dict[str, str]) -> None:
    refused = refusal(query)
    socket_id = new_socket_id()
    if refused is None:
        store.record_connection(connection_id, socket_id)
    welcome: dict[str, Any] = {"connection_id": connection_id, "socket_id": socket_id}
    if refused is not None:
        welcome["refusal"] = {"code": refused.code, "message": refused.message}
    aws.client("lambda").invoke(
        FunctionName=settings.WELCOME_FUNCTION(), InvocationType="Event", Payload=json.dumps(welcome).encode()
    )


def welcome(request: dict[str, Any]) -> bool:
    """Send the first frame once the connection accepts it; a refused connection is then closed."""
    connection_id = request["connection_id"]
    refused = request.get("refusal")
    text = (
        ProtocolError(refused["code"], refused["message"]).frame()
        if refused
        else connection_established(request["socket_id"], settings.ACTIVITY_TIMEOUT())
    )
    client = management()
    deadline, pause = time.monotonic() + WELCOME_SECONDS, 0.01
    while True:
        try:
            client.post_to_connection(ConnectionId=connection_id, Data=text.encode())
            break
        except Exception as error:
            if not gone(error) or time.monotonic() + pause > deadline:
                from eckospace.observability import logger  # only on this rare path: it costs a cold start 25 ms

                logger().warning("welcome not sent", extra={"connection_id": connection_id, "error": str(error)})
                return False
            time.sleep(pause)  # the upgrade has not completed yet
            pause = min(pause * 2, 0.2)
    if refused:
        try:
            client.delete_connection(ConnectionId=connection_id)
        except Exception as error:
            if not gone(error):
                raise
    return True


def leave(connection_id: str, socket_id: str | None, channel_name: str, user_id: str | None) -> None:
    """Take a connection out of a channel; a presence member's last connection out is announced."""
    if not store.unsubscribe(connection_id, channel_name):
        return
    if user_id and Channel.parse(channel_name).kind is Kind.PRESENCE and store.leave_presence(channel_name, user_id):
        publish(
            [
                Delivery(
                    channel_name,
                    "pusher_internal:member_removed",
                    json.dumps({"user_id": user_id}),
                    except_socket=socket_id,
                )
            ]
        )


def evict(delivery: Delivery) -> Delivery:
    """An eviction (`Delivery.evict`): the user's connections in the channel leave it, as a
    `pusher:unsubscribe` would; what is left is the event for those connections alone."""
    if delivery.evict is None or delivery.connections is not None:
        return delivery  # not an eviction, or the retry of one whose connections already left
    left = []
    for connection_id in store.user_connections(delivery.evict):
        joined = store.membership(connection_id, delivery.channel)
        if joined is not None:
            leave(connection_id, joined.get("socket_id"), delivery.channel, joined.get("user_id"))
            left.append(connection_id)
    return replace(delivery, connections=left)


def forget(connection_id: str) -> None:
    """Everything the connection left behind: its channels (announcing presence departures), its
    user binding, and itself. For $disconnect, and for a connection API Gateway says is gone."""
    items = store.connection_items(connection_id)
    record = next((item for item in items if item["sk"] == "c"), None)
    socket_id = record.get("socket_id") if record else None
    users = set()
    for item in items:
        if item["sk"].startswith("s#"):
            leave(connection_id, socket_id, item["sk"][2:], item.get("user_id"))
            if item.get("user_id"):
                users.add(item["user_id"])
    for user_id in users:
        store.unbind_from_user(connection_id, user_id)
    if record is not None:
        store.delete_connection(connection_id)


def terminate_user(user_id: str) -> int:
    """Close every connection bound to the user (Pusher's `terminate_connections`); their
    `$disconnect` cleans up after them. pusher-js reconnects, and must be authorized again for
    the user's channels: pair it with revoking the user's tokens to shut someone out. How many
    connections were closed."""
    client, closed = management(), 0
    for connection_id in store.user_connections(user_id):
        try:
            client.delete_connection(ConnectionId=connection_id)
            closed += 1
        except Exception as error:
            if not gone(error):
                raise
            forget(connection_id)  # API Gateway had already dropped it, without a $disconnect
    return closed
