"""A notification end to end on the local stack: someone mentions a user in a post through the REST
API; the post's transaction writes the notification, the notifications table's stream runs the
push function, the fan-out queue reaches the user's connection, and their pusher-js client (Laravel
Echo in Node), subscribed to `private-users.{id}`, hears `notification.created`. The notifications
API then lists it."""

from __future__ import annotations

import uuid

import requests

from tests.support.realtime_clients import EchoClient
from tests.support.tokens import mint


def test_a_mentioned_user_hears_the_notification_on_their_private_channel(stack, realtime, keyring, api_key):
    mentioned, author = f"u{uuid.uuid4().hex[:10]}", f"u{uuid.uuid4().hex[:10]}"
    client = EchoClient(
        realtime, token=mint(keyring, ["realtime:read", "notifications:read"], subject=mentioned), api_key=api_key
    )
    try:
        client.connected()
        client.send("listen", channel=f"users.{mentioned}", kind="private", event="notification.created")
        client.wait_for(lambda m: m["type"] == "subscribed")

        headers = {"x-api-key": api_key, "Authorization": f"Bearer {mint(keyring, ['posts:write'], subject=author)}"}
        created = requests.post(
            stack.url("/api/posts"), json={"text": f"look, @{mentioned}"}, headers=headers, timeout=30
        )
        assert created.status_code == 201, created.text
        post = created.json()

        heard = client.wait_for(lambda m: m["type"] == "event", timeout=30)
        assert heard["channel"] == f"private-users.{mentioned}" and heard["event"] == "notification.created"
        notification = heard["data"]
        assert notification["object"] == "notification" and notification["type"] == "mention"
        assert notification["actor"] == author and notification["subject"] == {"object": "post", "id": post["id"]}
    finally:
        client.close()

    reader = {
        "x-api-key": api_key,
        "Authorization": f"Bearer {mint(keyring, ['notifications:read'], subject=mentioned)}",
    }
    listed = requests.get(stack.url("/api/notifications"), headers=reader, timeout=30)
    assert listed.status_code == 200 and [n["id"] for n in listed.json()["data"]] == [notification["id"]]
    count = requests.get(stack.url("/api/notifications/unread-count"), headers=reader, timeout=30)
    assert count.json() == {"object": "unread_count", "unread": 1}
