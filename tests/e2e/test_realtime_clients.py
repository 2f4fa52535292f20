"""Unmodified realtime clients against the local stack: Laravel Echo 2 with pusher-js 8 (Node), and
the official `pusher` server library publishing. Everything crosses real loopback sockets: the
WebSocket, `/broadcasting/auth`, the signed events API, the fan-out queue and @connections."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import boto3
import pytest

from tests.support.realtime_clients import EchoClient
from tests.support.tokens import mint

REALTIME_TABLE = "eckospace-local-RealtimeTable"  # the local stack's name for it


@pytest.fixture
def echo(realtime, keyring, api_key) -> Iterator:
    started: list[EchoClient] = []

    def start(user: str | None = None) -> EchoClient:
        token = mint(keyring, ["realtime:read"], subject=user) if user else None
        client = EchoClient(realtime, token=token, api_key=api_key)
        started.append(client)
        return client

    yield start
    for client in started:
        client.close()


def user() -> str:
    return f"u{uuid.uuid4().hex[:10]}"


def test_a_public_channel_hears_what_the_pusher_library_publishes(echo, server):
    listener = echo()
    socket_id = listener.connected()
    assert socket_id.count(".") == 1 and all(part.isdigit() for part in socket_id.split("."))
    listener.send("listen", channel="news", event="headline")
    listener.wait_for(lambda m: m["type"] == "subscribed")
    assert server.trigger("news", "headline", {"title": "Hello"}) == {}
    heard = listener.wait_for(lambda m: m["type"] == "event")
    assert heard["data"] == {"title": "Hello"}


def test_a_private_channel_is_joined_by_its_user_only_and_hears_broadcasts(echo, server):
    alice = user()
    mine = echo(alice)
    mine.connected()
    mine.send("listen", channel=f"users.{alice}", kind="private", event="wallet.updated")
    mine.wait_for(lambda m: m["type"] == "subscribed")
    intruder = echo(user())
    intruder.connected()
    intruder.send("listen", channel=f"users.{alice}", kind="private", event="wallet.updated")
    refused = intruder.wait_for(lambda m: m["type"] == "error")
    assert refused["error"]["status"] == 403
    server.trigger(f"private-users.{alice}", "wallet.updated", {"balance": 1200})
    assert mine.wait_for(lambda m: m["type"] == "event")["data"] == {"balance": 1200}
    assert not [m for m in intruder.drain(1.0) if m["type"] == "event"]


def test_presence_members_and_whispers_between_two_clients(echo, server):
    tag = f"t{uuid.uuid4().hex[:8]}"
    alice, bob = user(), user()
    first = echo(alice)
    first.connected()
    first.send("listen", channel=f"hashtags.{tag}", kind="presence", whisper="typing")
    here = first.wait_for(lambda m: m["type"] == "here")
    assert here["users"] == [{"id": alice}]
    second = echo(bob)
    second.connected()
    second.send("listen", channel=f"hashtags.{tag}", kind="presence", whisper="typing")
    assert sorted(u["id"] for u in second.wait_for(lambda m: m["type"] == "here")["users"]) == sorted([alice, bob])
    assert first.wait_for(lambda m: m["type"] == "joining")["user"] == {"id": bob}
    second.send("whisper", channel=f"hashtags.{tag}", kind="presence", event="typing", data={"name": "Bob"})
    assert first.wait_for(lambda m: m["type"] == "whisper")["data"] == {"name": "Bob"}
    assert not [m for m in second.drain(0.5) if m["type"] == "whisper"]  # never echoed to the sender
    occupied = server.channel_info(f"presence-hashtags.{tag}", ["user_count"])
    assert occupied == {"occupied": True, "user_count": 2}
    members = server.users_info(f"presence-hashtags.{tag}")["users"]
    assert sorted(member["id"] for member in members) == sorted([alice, bob])
    second.close()
    assert first.wait_for(lambda m: m["type"] == "leaving")["user"] == {"id": bob}


def test_a_dropped_connection_reconnects_and_subscribes_again(echo, server, realtime, stack):
    listener = echo()
    old_socket = listener.connected()
    channel = f"c{uuid.uuid4().hex[:8]}"
    listener.send("listen", channel=channel, event="ping")
    listener.wait_for(lambda m: m["type"] == "subscribed")
    connections = boto3.client(
        "apigatewaymanagementapi",
        endpoint_url=realtime["connections_url"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    # The server drops every connection of this channel, as API Gateway does at its 2 hour limit.
    for connection_id in realtime_connections(stack, channel):
        connections.delete_connection(ConnectionId=connection_id)
    new_state = listener.wait_for(
        lambda m: m["type"] == "state" and m["current"] == "connected" and m["socket_id"] != old_socket, timeout=20
    )
    assert new_state["socket_id"] != old_socket
    listener.wait_for(lambda m: sum(seen["type"] == "subscribed" for seen in listener.seen) == 2, timeout=10)
    server.trigger(channel, "ping", {"n": 1})
    assert listener.wait_for(lambda m: m["type"] == "event")["data"] == {"n": 1}


def realtime_connections(stack, channel: str) -> list[str]:
    answer = stack.aws("dynamodb").query(
        TableName=REALTIME_TABLE,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"s#{channel}"}},
    )
    return [item["sk"]["S"].removeprefix("c#") for item in answer["Items"]]


def test_terminating_a_users_connections_makes_them_reconnect_and_authorize_again(echo, server):
    alice = user()
    client = echo(alice)
    old_socket = client.connected()
    client.send("listen", channel=f"users.{alice}", kind="private", event="note")
    client.wait_for(lambda m: m["type"] == "subscribed")
    assert server.terminate_user_connections(alice) == {}
    client.wait_for(lambda m: m["type"] == "state" and m["socket_id"] not in (None, old_socket), timeout=20)
    client.wait_for(lambda m: sum(seen["type"] == "subscribed" for seen in client.seen) == 2, timeout=10)
