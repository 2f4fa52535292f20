"""Chat with real clients on the local stack: two people's Laravel Echo and pusher-js clients follow
their conversation's channel; one sends over REST and the other hears it, a read receipt reaches the
sender, a typing whisper passes between them, the stack's inbox function keeps the inbox, and
someone else is refused both the channel and the history. Someone removed from a group stops
hearing it while the others still do."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
import requests

from tests.support.realtime_clients import EchoClient
from tests.support.tokens import mint

SCOPES = ["chat:read", "chat:write", "realtime:read"]


class Person:
    def __init__(self, stack, api_key: str, keyring) -> None:
        self.id = f"u{uuid.uuid4().hex[:10]}"
        self.token = mint(keyring, SCOPES, subject=self.id)
        self.stack, self.api_key = stack, api_key
        self.session = requests.Session()

    def __call__(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"x-api-key": self.api_key, "Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.session.request(method, self.stack.url(path), headers=headers, timeout=60, **kwargs)


@pytest.fixture
def people(stack, api_key, keyring, realtime) -> Iterator:
    clients: list[EchoClient] = []

    def person() -> tuple[Person, EchoClient]:
        someone = Person(stack, api_key, keyring)
        client = EchoClient(realtime, token=someone.token, api_key=api_key)
        clients.append(client)
        return someone, client

    yield person
    for client in clients:
        client.close()


def test_two_members_hear_messages_read_receipts_and_typing_and_no_one_else_joins(people):
    alice, alices_client = people()
    bob, bobs_client = people()
    opened = alice("POST", "/api/conversations", json={"type": "direct", "user_id": bob.id})
    assert opened.status_code == 201, opened.text
    conversation = opened.json()["id"]
    channel = f"conversations.{conversation}"
    for client in (alices_client, bobs_client):
        client.connected()
        client.send("listen", channel=channel, kind="private", event="message.created", whisper="typing")
        client.wait_for(lambda m: m["type"] == "subscribed")
        client.send("listen", channel=channel, kind="private", event="conversation.read")
    alices_socket = alices_client.connected()

    bobs_client.send("whisper", channel=channel, kind="private", event="typing", data={"typing": True})
    assert alices_client.wait_for(lambda m: m["type"] == "whisper")["data"] == {"typing": True}

    sent = alice(
        "POST",
        f"/api/conversations/{conversation}/messages",
        json={"client_message_id": "hello-1", "text": "Hello Bob"},
        headers={"X-Socket-Id": alices_socket},
    )
    assert sent.status_code == 201, sent.text
    heard = bobs_client.wait_for(lambda m: m["type"] == "event" and m["event"] == "message.created")
    assert heard["data"]["id"] == sent.json()["id"] and heard["data"]["text"] == "Hello Bob"

    assert bob("POST", f"/api/conversations/{conversation}/read").json()["unread_count"] == 0
    receipt = alices_client.wait_for(lambda m: m["type"] == "event" and m["event"] == "conversation.read")
    assert receipt["data"]["user"] == bob.id and receipt["data"]["last_read_message_id"] == sent.json()["id"]
    # The sender's own connection (X-Socket-Id) does not hear its message echoed back.
    assert not [m for m in alices_client.drain(0.5) if m.get("event") == "message.created"]

    # The stack's inbox function follows the chat table's stream: Alice's inbox shows the message, read.
    deadline = time.monotonic() + 20
    while True:
        page = alice("GET", "/api/conversations").json()
        if page["data"] and page["data"][0]["last_message"]:
            break
        assert time.monotonic() < deadline, page
        time.sleep(0.2)
    assert page["data"][0]["last_message"]["id"] == sent.json()["id"] and page["unread_total"] == 0

    mallory, mallorys_client = people()
    mallorys_client.connected()
    mallorys_client.send("listen", channel=channel, kind="private", event="message.created")
    assert mallorys_client.wait_for(lambda m: m["type"] == "error")["error"]["status"] == 403
    assert mallory("GET", f"/api/conversations/{conversation}/messages").status_code == 404


def test_someone_removed_from_a_group_stops_hearing_it_and_the_others_still_do(people):
    alice, alices_client = people()
    bob, bobs_client = people()
    carol, carols_client = people()
    made = alice("POST", "/api/conversations", json={"type": "group", "title": "Team", "members": [bob.id, carol.id]})
    assert made.status_code == 201, made.text
    conversation = made.json()["id"]
    channel = f"conversations.{conversation}"
    for client in (bobs_client, carols_client):
        client.connected()
        client.send("listen", channel=channel, kind="private", event="message.created")
        client.wait_for(lambda m: m["type"] == "subscribed")
        client.send("listen", channel=channel, kind="private", event="conversation.left")

    assert alice("DELETE", f"/api/conversations/{conversation}/members/{carol.id}").status_code == 204
    left = carols_client.wait_for(lambda m: m["type"] == "event" and m["event"] == "conversation.left")
    assert left["data"] == {"id": conversation}
    sent = alice("POST", f"/api/conversations/{conversation}/messages", json={"client_message_id": "a", "text": "Hi"})
    assert sent.status_code == 201, sent.text
    heard = bobs_client.wait_for(lambda m: m["type"] == "event" and m["event"] == "message.created")
    assert heard["data"]["id"] == sent.json()["id"]
    assert not [m for m in carols_client.drain(1.0) if m.get("event") == "message.created"]
