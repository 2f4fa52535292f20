"""Chat messages into notifications, through the handlers against the emulator: the inbox function
announces each new message (`chat.message_created`), SNS delivers it to the notifications queue
and the consumer tells each member who is away once per unread streak; not the sender, nor members
who muted the conversation, switched the type off or are connected right now."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from eckospace.realtime import store as realtime
from tests.integration.conftest import module_functions, module_handlers, sqs_event
from tests.integration.test_chat import ChatStream, drain_broadcasts
from tests.integration.test_notifications import _drain
from tests.support.lambda_proxy import Context, invoke

FUNCTIONS = module_functions("chat", "notifications")
_handlers: dict[str, Any] = {}
SCOPES = "chat:read chat:write notifications:read notifications:write"


@pytest.fixture
def api(function_env, backend):
    handlers = module_handlers(function_env, FUNCTIONS, _handlers)
    queue = backend["template"].ref("NotificationEventsQueue")
    _drain(queue, handlers)  # other tests' events
    stream = ChatStream()
    yield lambda: _deliver(stream, queue)
    drain_broadcasts()


def _deliver(stream: ChatStream, queue: str) -> list[dict]:
    """The inbox function over the stream's new records, then the consumer over what SNS put on the
    notifications queue (a moment after publishing); the chat events it consumed."""
    records = stream.records()
    assert _handlers["chat_inbox"]({"Records": records}, Context()) == {"batchItemFailures": []}
    expected = sum(1 for record in records if record["eventName"] == "INSERT")
    found: list[dict] = []
    for _ in range(20):
        found += [e for e in _drain(queue, _handlers) if e["type"] == "chat.message_created"]
        if len(found) >= expected:
            break
        time.sleep(0.2)
    return found


def new_user() -> str:
    return f"u-{uuid.uuid4().hex[:10]}"


def call(function: str, method: str, path: str, user: str, **request) -> tuple[int, Any]:
    authorizer = {"sub": user, "scope": SCOPES, "token_use": "user"}
    answer = invoke(_handlers[function], method, path, authorizer=authorizer, **request)
    return answer.status, answer.body


def send(conversation: str, user: str, text: str) -> None:
    body = {"client_message_id": uuid.uuid4().hex, "text": text}
    status, _ = call("chat_message_create", "POST", f"/api/conversations/{conversation}/messages", user, body=body)
    assert status == 201


def chat_notifications(user: str) -> list[dict]:
    status, page = call("notifications_list", "GET", "/api/notifications", user)
    assert status == 200 and page["next_cursor"] is None
    return [n for n in page["data"] if n["type"] == "chat_message"]


def test_a_message_notifies_members_who_are_away_once_per_unread_streak(api):
    deliver = api
    sender, away, muted, online, quiet = (new_user() for _ in range(5))
    body = {"type": "group", "title": "Team", "members": [away, muted, online, quiet]}
    status, made = call("chat_conversation_create", "POST", "/api/conversations", sender, body=body)
    assert status == 201
    path = f"/api/conversations/{made['id']}"
    assert call("chat_mute_put", "PUT", f"{path}/mute", muted)[0] == 200
    prefs = {"types": {"chat_message": False}}
    assert call("notifications_preferences_put", "PUT", "/api/notifications/preferences", quiet, body=prefs)[0] == 200
    connection = f"conn-{uuid.uuid4().hex[:8]}"
    assert realtime.bind_to_user(connection, online, max_connections=5)

    send(made["id"], sender, "x" * 200)
    send(made["id"], sender, "again")
    events = deliver()
    assert len(events) == 2
    recipients = {r["user_id"]: r["last_read_seq"] for r in events[0]["data"]["recipients"]}
    assert recipients == {away: 0, online: 0, quiet: 0}  # not the sender, not who muted it
    [first] = chat_notifications(away)
    assert first["actor"] == sender and first["subject"] == {"object": "conversation", "id": made["id"]}
    assert first["data"] == {"message_id": "msg_1", "preview": "x" * 140}
    for nobody in (sender, muted, online, quiet):
        assert chat_notifications(nobody) == [], nobody

    assert _handlers["notifications_consumer"](sqs_event(events[0], events[1]), Context()) == {"batchItemFailures": []}
    assert len(chat_notifications(away)) == 1  # a duplicate makes none

    assert call("chat_read_create", "POST", f"{path}/read", away)[0] in (200, 204)
    realtime.unbind_from_user(connection, online)
    send(made["id"], sender, "after you read")
    assert len(deliver()) == 1
    newest, _ = chat_notifications(away)
    assert newest["data"] == {"message_id": "msg_3", "preview": "after you read"}
    assert len(chat_notifications(online)) == 1  # away now: one for all three
    assert chat_notifications(muted) == [] and chat_notifications(quiet) == []
