"""Chat through its handlers, in-process, against the emulator: direct conversations (one, however
many open it at once), sends (exactly once per client message id, numbered without gaps under
concurrency), history cursors, read state and inboxes (through the inbox function, fed from the
table's stream), membership (404 to everyone else, and the realtime channel rule), rate limits,
blocks, edits and tombstones, attachments, groups with their roles, and reports of messages with the
moderators' decisions on them."""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from eckospace import aws
from eckospace.chat import conversations as chat
from eckospace.chat import messages, settings, store
from eckospace.config import forget_settings
from eckospace.errors import Conflict
from eckospace.realtime import broadcasting
from eckospace.realtime.channels import Channel, may_join
from tests.integration.conftest import module_functions, module_handlers, sqs_event
from tests.support.lambda_proxy import Context, invoke
from tests.support.streams import TableStream

FUNCTIONS = module_functions("chat")
_handlers: dict[str, Any] = {}
SCOPES = "chat:read chat:write"


class ChatStream(TableStream):
    """The chat table's stream, read from now on as Lambda's event source mapping reads it."""

    def __init__(self) -> None:
        super().__init__(store.table())


@pytest.fixture
def api(function_env):
    handlers = module_handlers(function_env, FUNCTIONS, _handlers)
    yield handlers
    drain_broadcasts()


@pytest.fixture
def stream(api) -> ChatStream:
    return ChatStream()


def run_inbox(stream: ChatStream) -> None:
    """The inbox function over what the stream recorded since it last ran."""
    records = stream.records()
    for start in range(0, len(records), 50):
        result = _handlers["chat_inbox"]({"Records": records[start : start + 50]}, Context())
        assert result == {"batchItemFailures": []}


def drain_broadcasts() -> list[dict[str, Any]]:
    """What chat put on the realtime fan-out queue, taken off it (other tests read that queue)."""
    sqs, found = aws.client("sqs"), []
    while True:
        batch = sqs.receive_message(QueueUrl=broadcasting.FANOUT_QUEUE(), MaxNumberOfMessages=10).get("Messages")
        if not batch:
            return found
        found += [json.loads(message["Body"]) for message in batch]
        sqs.delete_message_batch(
            QueueUrl=broadcasting.FANOUT_QUEUE(),
            Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(batch)],
        )


def new_user() -> str:
    return f"u-{uuid.uuid4().hex[:10]}"


def call(function: str, method: str, path: str, user: str, *, scopes: str = SCOPES, token_use: str = "user", **request):
    authorizer = {"sub": user, "scope": scopes, "token_use": token_use}
    answer = invoke(_handlers[function], method, path, authorizer=authorizer, **request)
    return answer.status, answer.body, answer.headers


def open_direct(user: str, peer: str) -> tuple[int, dict]:
    status, body, _ = call(
        "chat_conversation_create", "POST", "/api/conversations", user, body={"type": "direct", "user_id": peer}
    )
    return status, body


def conversation(user: str, peer: str) -> str:
    status, body = open_direct(user, peer)
    assert status in (200, 201), body
    return body["id"]


def send(conversation_id: str, user: str, text: str = "hello", client_id: str | None = None, **fields):
    body = {"client_message_id": client_id or uuid.uuid4().hex, "text": text, **fields}
    return call("chat_message_create", "POST", f"/api/conversations/{conversation_id}/messages", user, body=body)


def sent(conversation_id: str, user: str, text: str = "hello", **fields) -> dict:
    status, message, _ = send(conversation_id, user, text, **fields)
    assert status == 201, message
    return message


def history(conversation_id: str, user: str, *, limit: int = 100) -> list[dict]:
    found, cursor = [], None
    while True:
        query = {"limit": str(limit), **({"cursor": cursor} if cursor else {})}
        status, page, _ = call(
            "chat_message_list", "GET", f"/api/conversations/{conversation_id}/messages", user, query=query
        )
        assert status == 200, page
        found += page["data"]
        cursor = page["next_cursor"]
        if not cursor:
            return found


def inbox(user: str, *, limit: int = 100) -> tuple[list[dict], int]:
    found, cursor, total = [], None, None
    while True:
        query = {"limit": str(limit), **({"cursor": cursor} if cursor else {})}
        status, page, _ = call("chat_conversation_list", "GET", "/api/conversations", user, query=query)
        assert status == 200, page
        found += page["data"]
        total = page["unread_total"] if total is None else total
        assert cursor is None or page["unread_total"] is None
        cursor = page["next_cursor"]
        if not cursor:
            return found, total


def read(conversation_id: str, user: str, message_id: str | None = None):
    body = {"message_id": message_id} if message_id else None
    return call("chat_read_create", "POST", f"/api/conversations/{conversation_id}/read", user, body=body)


# ------------------------------------------------------------------------------------ conversations
def test_two_people_opening_their_conversation_at_once_get_one(api):
    # The service in threads: a handler's resolver holds one request at a time, as a Lambda sandbox does.
    one, other = new_user(), new_user()
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda n: chat.open_direct(*((one, other) if n % 2 else (other, one))), range(8)))
    assert sorted(created for _, created in answers) == [False] * 7 + [True]
    assert len({view["id"] for view, _ in answers}) == 1
    status, again = open_direct(one, other)
    assert status == 200 and again["type"] == "direct" and again["peer"] == other
    assert sorted(m["user_id"] for m in again["members"]) == sorted([one, other])
    assert open_direct(one, one)[0] == 403


def test_only_members_see_a_conversation_its_messages_and_its_channel(api):
    one, other, stranger = new_user(), new_user(), new_user()
    conversation_id = conversation(one, other)
    sent(conversation_id, one)
    path = f"/api/conversations/{conversation_id}"
    assert call("chat_conversation_get", "GET", path, one)[0] == 200
    for function, method, suffix, body in [
        ("chat_conversation_get", "GET", "", None),
        ("chat_message_list", "GET", "/messages", None),
        ("chat_message_create", "POST", "/messages", {"client_message_id": "x", "text": "hi"}),
        ("chat_read_create", "POST", "/read", None),
    ]:
        status, problem, _ = call(function, method, path + suffix, stranger, body=body)
        assert status == 404 and problem["type"] == "urn:eckospace:problem:not-found", (function, problem)
    assert call("chat_conversation_get", "GET", "/api/conversations/dm_nope", one)[0] == 404
    assert may_join(Channel.parse(f"private-conversations.{conversation_id}"), one)
    assert may_join(Channel.parse(f"presence-conversations.{conversation_id}"), other)
    assert not may_join(Channel.parse(f"private-conversations.{conversation_id}"), stranger)
    assert not may_join(Channel.parse(f"presence-conversations.{conversation_id}"), stranger)


def test_integrations_tokens_are_refused(api):
    one, other = new_user(), new_user()
    conversation_id = conversation(one, other)
    for function, method, path in [
        ("chat_conversation_list", "GET", "/api/conversations"),
        ("chat_message_list", "GET", f"/api/conversations/{conversation_id}/messages"),
    ]:
        status, problem, _ = call(function, method, path, one, token_use="client")
        assert status == 403 and problem["type"] == "urn:eckospace:problem:forbidden"
    assert call("chat_conversation_list", "GET", "/api/conversations", one, scopes="posts:read")[0] == 403


# ------------------------------------------------------------------------------------ sending
def test_concurrent_sends_with_retries_make_exactly_their_messages_in_one_order(api, monkeypatch):
    monkeypatch.setenv(settings.SENDS_PER_MINUTE.variable, "1000")
    forget_settings()
    one, other = new_user(), new_user()
    conversation_id = conversation(one, other)
    drain_broadcasts()

    def deliver(n: int) -> dict:
        author, client_id = (one, other)[n % 2], f"c-{n}"
        for _ in range(50):  # as a client would: again on 409, and once more after success (a lost answer)
            try:
                message, created = messages.send_message(
                    conversation_id, author, client_message_id=client_id, text=f"message {n}"
                )
            except Conflict:
                continue
            assert created
            again, created = messages.send_message(
                conversation_id, author, client_message_id=client_id, text=f"message {n}"
            )
            assert not created and again == message
            return message
        raise AssertionError("never sent")

    with ThreadPoolExecutor(16) as pool:
        made = list(pool.map(deliver, range(100)))
    assert sorted(message["seq"] for message in made) == list(range(1, 101))
    stored = history(conversation_id, one, limit=30)
    assert [message["seq"] for message in stored] == list(range(100, 0, -1))
    assert {(m["client_message_id"], m["text"]) for m in stored} == {(f"c-{n}", f"message {n}") for n in range(100)}
    assert history(conversation_id, other) == stored
    sent(conversation_id, one, "and one through the API")
    [created] = [d for d in drain_broadcasts() if d["event"] == "message.created"]
    assert created["channel"] == f"private-conversations.{conversation_id}"


def test_history_pages_stay_stable_while_messages_arrive(api):
    one, other = new_user(), new_user()
    conversation_id = conversation(one, other)
    for n in range(12):
        sent(conversation_id, one, f"m{n}")
    seen, cursor, path = [], None, f"/api/conversations/{conversation_id}/messages"
    while True:
        query = {"limit": "5", **({"cursor": cursor} if cursor else {})}
        status, page, _ = call("chat_message_list", "GET", path, other, query=query)
        assert status == 200
        seen += [message["seq"] for message in page["data"]]
        sent(conversation_id, other, "meanwhile")
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(range(12, 0, -1))
    status, problem, _ = call("chat_message_list", "GET", path, one, query={"cursor": "forged"})
    assert status == 400


def test_message_rules(api):
    one, other = new_user(), new_user()
    conversation_id = conversation(one, other)
    assert send(conversation_id, one, "x" * 4001)[0] == 400
    assert send(conversation_id, one, "bad \x07 bell")[0] == 422
    assert send(conversation_id, one, "   ")[0] == 422
    first = sent(conversation_id, one, "first")
    reply = sent(conversation_id, other, "answer", reply_to=first["id"])
    assert reply["reply_to"] == first["id"] and reply["seq"] == 2
    assert send(conversation_id, other, "to nothing", reply_to="msg_99")[0] == 404
    assert send(conversation_id, other, "to nothing", reply_to="pst_1")[0] == 404


def test_sends_past_the_rate_limit_are_refused_with_retry_after(api, monkeypatch):
    monkeypatch.setenv(settings.SENDS_PER_MINUTE.variable, "3")
    forget_settings()
    one, other = new_user(), new_user()
    conversation_id = conversation(one, other)
    for n in range(3):
        sent(conversation_id, one, f"m{n}")
    status, problem, headers = send(conversation_id, one, "one too many")
    if status == 201:  # the minute turned between the sends: a fresh minute's allowance
        for n in range(3):
            send(conversation_id, one, f"again {n}")
        status, problem, headers = send(conversation_id, one, "one too many")
    assert status == 429 and problem["type"] == "urn:eckospace:problem:rate-limited"
    assert 1 <= int(headers["retry-after"]) <= 60 and problem["per_minute_limit"] == 3
    assert sent(conversation_id, other, "the other person is not limited")["seq"] >= 4


# ------------------------------------------------------------------------------------ read state and inbox
def test_read_state_unread_counts_and_the_inbox(api, stream):
    one, other, third = new_user(), new_user(), new_user()
    first = conversation(one, other)
    second = conversation(one, third)
    for n in range(3):
        sent(first, other, f"from other {n}")
    sent(second, third, "from third")
    run_inbox(stream)
    conversations, total = inbox(one, limit=1)
    assert [c["id"] for c in conversations] == [second, first]  # latest activity first
    assert [c["unread_count"] for c in conversations] == [1, 3] and total == 4
    assert conversations[1]["last_message"]["text"] == "from other 2"
    assert inbox(other)[1] == 0  # your own messages are read

    status, state, _ = read(first, one, "msg_2")
    assert status == 200 and state["unread_count"] == 1 and state["last_read_message_id"] == "msg_2"
    assert read(first, one, "msg_1")[1]["last_read_message_id"] == "msg_2"  # never back
    assert read(first, one, "msg_9")[0] == 404
    _, one_view, _ = call("chat_conversation_get", "GET", f"/api/conversations/{first}", one)
    assert one_view["unread_count"] == 1
    assert inbox(one)[1] == 2

    sent(first, one, "I read it all")  # sending reads everything before it
    run_inbox(stream)
    conversations, total = inbox(one)
    assert [c["id"] for c in conversations] == [first, second] and total == 1
    read(second, one)
    assert inbox(one)[1] == 0 and inbox(other)[1] == 1
    run_inbox(stream)  # nothing new: nothing changes
    assert inbox(other)[1] == 1
    reads = [d for d in drain_broadcasts() if d["event"] == "conversation.read"]
    assert [json.loads(d["data"])["user"] for d in reads] == [one, one]


# ------------------------------------------------------------------------------------ blocks
def block(user: str, blocked: str, method: str = "PUT"):
    return call(f"chat_block_{'put' if method == 'PUT' else 'delete'}", method, f"/api/users/{blocked}/block", user)


def test_a_block_stops_direct_messages_both_ways_until_it_is_lifted(api):
    one, other, third = new_user(), new_user(), new_user()
    conversation_id = conversation(one, other)
    sent(conversation_id, other, "before")
    status, made, _ = block(one, other)
    assert status == 201 and made["user_id"] == other
    assert block(one, other)[0] == 200
    assert block(one, one)[0] == 403
    for author in (other, one):
        status, problem, _ = send(conversation_id, author, "after")
        assert status == 403 and problem["type"] == "urn:eckospace:problem:blocked", problem
    assert open_direct(third, one)[0] == 201  # others are not concerned
    status, problem = open_direct(other, one)
    assert status == 200  # the conversation exists; it is sending that is refused
    assert open_direct(new_user(), new_user())[0] == 201
    blocked_user = new_user()
    block(one, blocked_user)
    assert open_direct(blocked_user, one)[0] == 403
    _, page, _ = call("chat_blocks_list", "GET", "/api/blocks", one, query={"limit": "1"})
    listed = [page["data"][0]["user_id"]]
    _, page, _ = call("chat_blocks_list", "GET", "/api/blocks", one, query={"cursor": page["next_cursor"]})
    assert sorted(listed + [b["user_id"] for b in page["data"]]) == sorted([other, blocked_user])
    assert block(one, other, "DELETE")[0] == 204
    assert block(one, other, "DELETE")[0] == 204
    assert send(conversation_id, other, "after the block")[0] == 201


# ------------------------------------------------------------------------------------ edits and tombstones
def message_path(conversation_id: str, message_id: str) -> str:
    return f"/api/conversations/{conversation_id}/messages/{message_id}"


def test_authors_edit_within_fifteen_minutes_and_delete_leaving_a_tombstone(api, stream, monkeypatch):
    one, other = new_user(), new_user()
    conversation_id = conversation(one, other)
    first = sent(conversation_id, one, "tpyo")
    last = sent(conversation_id, one, "last one")
    path = message_path(conversation_id, first["id"])
    status, edited, _ = call("chat_message_update", "PATCH", path, one, body={"text": "typo"})
    assert status == 200 and edited["text"] == "typo" and edited["edited"] and edited["edited_at"]
    assert call("chat_message_update", "PATCH", path, other, body={"text": "mine now"})[0] == 403
    assert call("chat_message_update", "PATCH", path, new_user(), body={"text": "x"})[0] == 404
    missing = message_path(conversation_id, "msg_9")
    assert call("chat_message_update", "PATCH", missing, one, body={"text": "x"})[0] == 404
    later = store.now_ms() + 15 * 60 * 1000 + 1
    with monkeypatch.context() as clock:  # undoing only the clock: the functions' environment stays
        clock.setattr(store, "now_ms", lambda: later)
        status, problem, _ = call("chat_message_update", "PATCH", path, one, body={"text": "too late"})
    assert status == 409 and problem["type"] == "urn:eckospace:problem:edit-window-closed"

    run_inbox(stream)
    last_path = message_path(conversation_id, last["id"])
    assert call("chat_message_delete", "DELETE", last_path, other)[0] == 403
    assert call("chat_message_delete", "DELETE", last_path, one)[0] == 204
    assert call("chat_message_delete", "DELETE", last_path, one)[0] == 204  # idempotent
    assert call("chat_message_update", "PATCH", last_path, one, body={"text": "back"})[0] == 404
    run_inbox(stream)
    stored = history(conversation_id, other)
    assert [(m["seq"], m["text"], m["deleted"]) for m in stored] == [(2, None, True), (1, "typo", False)]
    assert stored[0]["deleted_at"] and stored[0]["author"] == one
    [listed], _ = inbox(other)
    assert listed["last_message"]["deleted"] and listed["last_message"]["text"] is None
    _, read_view, _ = call("chat_conversation_get", "GET", f"/api/conversations/{conversation_id}", other)
    assert read_view["last_message"]["deleted"] and read_view["last_message"]["text"] is None
    events = [d["event"] for d in drain_broadcasts()]
    assert events.count("message.updated") == 1 and events.count("message.deleted") == 1


def test_attachments_are_the_senders_ready_media_and_members_can_fetch_them(api):
    from tests.support.media import stored_media

    one, other = new_user(), new_user()
    conversation_id = conversation(one, other)
    mine, theirs = stored_media(one), stored_media(other)
    message = sent(conversation_id, one, "the minutes", attachments=[mine, mine])
    [attachment] = message["attachments"]
    assert attachment["id"] == mine and attachment["media_type"] == "application/pdf"
    assert attachment["download"]["url"].startswith("http")
    [listed] = history(conversation_id, other)
    assert listed["attachments"][0]["id"] == mine
    for refused in (theirs, "med_" + "0" * 24, "nope"):
        status, problem, _ = send(conversation_id, one, "not mine", attachments=[refused])
        assert status == 422 and problem["errors"][0]["name"] == "attachments", problem
    path = message_path(conversation_id, message["id"])
    assert call("chat_message_delete", "DELETE", path, one)[0] == 204
    assert history(conversation_id, other)[0]["attachments"] == []


# ------------------------------------------------------------------------------------ groups
def group(owner: str, *members: str, title: str = "Team") -> dict:
    status, made, _ = call(
        "chat_conversation_create",
        "POST",
        "/api/conversations",
        owner,
        body={"type": "group", "title": title, "members": list(members)},
    )
    assert status == 201, made
    return made


def roles(view: dict) -> dict[str, str]:
    return {member["user_id"]: member["role"] for member in view["members"]}


def test_groups_members_roles_invitations_renames_mutes_and_leaving(api, stream):
    owner, admin, member, newcomer, stranger = (new_user() for _ in range(5))
    made = group(owner, admin, member, owner)
    group_id, path = made["id"], f"/api/conversations/{made['id']}"
    assert made["type"] == "group" and made["title"] == "Team" and made["role"] == "owner"
    assert roles(made) == {owner: "owner", admin: "member", member: "member"}
    status, changed, _ = call("chat_member_update", "PATCH", f"{path}/members/{admin}", owner, body={"role": "admin"})
    assert status == 200 and roles(changed)[admin] == "admin"
    assert call("chat_member_update", "PATCH", f"{path}/members/{member}", admin, body={"role": "admin"})[0] == 403

    assert call("chat_members_add", "POST", f"{path}/members", member, body={"user_ids": [newcomer]})[0] == 403
    status, grown, _ = call("chat_members_add", "POST", f"{path}/members", admin, body={"user_ids": [newcomer, member]})
    assert status == 200 and roles(grown)[newcomer] == "member" and len(grown["members"]) == 4

    sent(group_id, member, "hello team")
    assert sent(group_id, newcomer, "hi")["seq"] == 2
    assert call("chat_message_list", "GET", f"{path}/messages", stranger)[0] == 404
    assert may_join(Channel.parse(f"presence-conversations.{group_id}"), newcomer)

    assert call("chat_conversation_update", "PATCH", path, member, body={"title": "Mine"})[0] == 403
    status, renamed, _ = call("chat_conversation_update", "PATCH", path, admin, body={"title": "Core team"})
    assert status == 200 and renamed["title"] == "Core team"
    status, muted, _ = call("chat_mute_put", "PUT", f"{path}/mute", member)
    assert status == 200 and muted["muted"]
    run_inbox(stream)
    [listed], total = inbox(member)
    assert listed["title"] == "Core team" and listed["muted"] and listed["unread_count"] == 1 and total == 1
    assert not call("chat_mute_delete", "DELETE", f"{path}/mute", member)[1]["muted"]

    assert call("chat_member_delete", "DELETE", f"{path}/members/{owner}", admin)[0] == 403  # outranks them
    assert call("chat_member_delete", "DELETE", f"{path}/members/{member}", newcomer)[0] == 403
    assert call("chat_member_delete", "DELETE", f"{path}/members/{member}", admin)[0] == 204
    assert inbox(member) == ([], 0)  # their unread message left with them
    assert call("chat_message_list", "GET", f"{path}/messages", member)[0] == 404
    assert not may_join(Channel.parse(f"private-conversations.{group_id}"), member)
    assert call("chat_member_delete", "DELETE", f"{path}/members/{owner}", owner)[0] == 409  # the owner leaves last
    assert call("chat_member_delete", "DELETE", f"{path}/members/{newcomer}", newcomer)[0] == 204
    status, handed, _ = call("chat_member_update", "PATCH", f"{path}/members/{admin}", owner, body={"role": "owner"})
    assert status == 200 and roles(handed) == {owner: "admin", admin: "owner"}
    assert call("chat_member_delete", "DELETE", f"{path}/members/{owner}", owner)[0] == 204

    direct = conversation(owner, admin)
    assert (
        call("chat_conversation_update", "PATCH", f"/api/conversations/{direct}", owner, body={"title": "x"})[0] == 409
    )
    assert (
        call("chat_members_add", "POST", f"/api/conversations/{direct}/members", owner, body={"user_ids": [stranger]})[
            0
        ]
        == 409
    )


def test_group_changes_are_broadcast_and_who_leaves_is_taken_out_of_its_channels(api):
    owner, member, newcomer = (new_user() for _ in range(3))
    group_id = group(owner, member)["id"]
    path = f"/api/conversations/{group_id}"
    drain_broadcasts()
    assert call("chat_members_add", "POST", f"{path}/members", owner, body={"user_ids": [newcomer]})[0] == 200
    assert call("chat_conversation_update", "PATCH", path, owner, body={"title": "Renamed"})[0] == 200
    assert call("chat_member_delete", "DELETE", f"{path}/members/{member}", owner)[0] == 204
    events = {(d["event"], d["channel"], d.get("evict")): json.loads(d["data"]) for d in drain_broadcasts()}
    channel, presence = f"private-conversations.{group_id}", f"presence-conversations.{group_id}"
    assert events == {
        ("member.added", channel, None): {
            "conversation_id": group_id,
            "members": [{"user_id": newcomer, "role": "member"}],
        },
        ("conversation.updated", channel, None): {"id": group_id, "title": "Renamed"},
        ("member.removed", channel, None): {"conversation_id": group_id, "user_id": member},
        ("conversation.left", channel, member): {"id": group_id},
        ("conversation.left", presence, member): {"id": group_id},
    }


def test_a_group_holds_at_most_256_members(api, monkeypatch):
    from eckospace.chat import groups

    monkeypatch.setattr(groups, "MAX_MEMBERS", 5)
    owner = new_user()
    path = f"/api/conversations/{group(owner, *(new_user() for _ in range(3)))['id']}/members"
    status, problem, _ = call("chat_members_add", "POST", path, owner, body={"user_ids": [new_user(), new_user()]})
    assert status == 409 and problem["type"] == "urn:eckospace:problem:group-full"
    assert call("chat_members_add", "POST", path, owner, body={"user_ids": [new_user()]})[0] == 200


# ------------------------------------------------------------------------------------ reports and moderation
MODERATOR_SCOPES = "moderation:read moderation:write"
POSTS_SCOPES = "posts:read posts:write"
_moderation_handlers: dict[str, Any] = {}


@pytest.fixture
def moderation(api, function_env, backend):
    """The chat functions with the posts ones (the queue, a post and its report) and the notifications
    ones; the domain events queues emptied of what other tests left."""
    _handlers.update(module_handlers(function_env, module_functions("posts", "notifications"), _moderation_handlers))
    queues = {name: backend["template"].ref(name) for name in ("NotificationEventsQueue", "WebhookEventsQueue")}
    for queue in queues.values():
        taken(queue)
    return queues


def taken(queue: str, *, until: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The envelopes a domain events queue holds, taken off it; waits for one of each type in `until`
    (SNS delivers to the queue a moment after publishing)."""
    sqs, found = aws.client("sqs"), []
    for _ in range(20):
        while batch := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
            found += [json.loads(message["Body"]) for message in batch]
            for message in batch:
                sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
        if set(until) <= {envelope["type"] for envelope in found}:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{until} not delivered: {[envelope['type'] for envelope in found]}")


def report(conversation_id: str, message_id: str, user: str, reason: str = "harassment", **fields):
    path = f"{message_path(conversation_id, message_id)}/reports"
    return call("chat_message_report_create", "POST", path, user, body={"reason": reason, **fields})


def decide(conversation_id: str, message_id: str, user: str, action: str, *, scopes: str = MODERATOR_SCOPES):
    path = f"/api/moderation/conversations/{conversation_id}/messages/{message_id}/decisions"
    return call(
        "chat_moderation_decision_create", "POST", path, user, body={"action": action, "reason": "abuse"}, scopes=scopes
    )


def queue(moderator: str) -> list[dict]:
    found, cursor = [], None
    while True:
        query = {"limit": "100", **({"cursor": cursor} if cursor else {})}
        status, page, _ = call(
            "posts_moderation_reports_list",
            "GET",
            "/api/moderation/reports",
            moderator,
            query=query,
            scopes=MODERATOR_SCOPES,
        )
        assert status == 200, page
        found += page["data"]
        if not (cursor := page["next_cursor"]):
            return found


def test_members_report_others_messages_once_and_the_queue_shows_them_with_posts_as_reported(moderation):
    one, other, stranger, moderator = (new_user() for _ in range(4))
    conversation_id = conversation(one, other)
    rude = sent(conversation_id, one, "you are awful")
    gone = sent(conversation_id, one, "second thoughts")
    status, filed, _ = report(conversation_id, rude["id"], other, note="rude")
    assert status == 201 and filed["status"] == "open" and filed["post_id"] is None
    assert filed["subject"] == {"type": "chat_message", "id": rude["id"], "conversation_id": conversation_id}
    assert filed["snapshot"] == {
        "text": "you are awful",
        "sender": one,
        "sent_at": rude["created_at"],
        "edited_at": None,
        "attachment_ids": [],
    }
    status, problem, _ = report(conversation_id, rude["id"], other, reason="spam")
    assert status == 409 and problem["type"] == "urn:eckospace:problem:conflict"
    for who, message_id in ((stranger, rude["id"]), (other, "msg_99"), (other, "nope")):
        status, problem, _ = report(conversation_id, message_id, who)
        assert status == 404 and problem["type"] == "urn:eckospace:problem:not-found", (who, message_id)
    assert report(conversation_id, rude["id"], one)[0] == 409  # your own
    assert call("chat_message_delete", "DELETE", message_path(conversation_id, gone["id"]), one)[0] == 204
    assert report(conversation_id, gone["id"], other)[0] == 404  # a tombstone
    assert (
        call("chat_message_update", "PATCH", message_path(conversation_id, rude["id"]), one, body={"text": "hi"})[0]
        == 200
    )

    status, post, _ = call("posts_create", "POST", "/api/posts", one, body={"text": "a post"}, scopes=POSTS_SCOPES)
    assert status == 201
    status, post_report, _ = call(
        "posts_report_create",
        "POST",
        f"/api/posts/{post['id']}/reports",
        other,
        body={"reason": "spam"},
        scopes=POSTS_SCOPES,
    )
    assert status == 201 and post_report["subject"] == {"type": "post", "id": post["id"]}
    assert post_report["post_id"] == post["id"] and post_report["snapshot"] is None
    listed = [r for r in queue(moderator) if r["id"] in (filed["id"], post_report["id"])]
    assert [r["id"] for r in listed] == [filed["id"], post_report["id"]]  # oldest first
    assert listed[0]["snapshot"]["text"] == "you are awful"  # as reported, not as edited since
    assert call("posts_moderation_reports_list", "GET", "/api/moderation/reports", other)[0] == 403
    webhooks = taken(moderation["WebhookEventsQueue"], until=("chat.message_reported", "post.reported"))
    [reported] = [e for e in webhooks if e["type"] == "chat.message_reported"]
    assert reported["data"] == {
        "report_id": filed["id"],
        "conversation_id": conversation_id,
        "message_id": rude["id"],
        "reason": "harassment",
    }


def test_reports_of_posts_and_messages_share_one_daily_allowance(moderation, monkeypatch):
    monkeypatch.setenv("ECKO_REPORTS_DAILY_LIMIT", "1")
    forget_settings()
    one, other = new_user(), new_user()
    conversation_id = conversation(one, other)
    message = sent(conversation_id, one)
    status, post, _ = call("posts_create", "POST", "/api/posts", one, body={"text": "a post"}, scopes=POSTS_SCOPES)
    path = f"/api/posts/{post['id']}/reports"
    assert call("posts_report_create", "POST", path, other, body={"reason": "spam"}, scopes=POSTS_SCOPES)[0] == 201
    status, problem, headers = report(conversation_id, message["id"], other)
    assert status == 429 and problem["daily_limit"] == 1 and 0 < int(headers["retry-after"]) <= 86_400


def test_a_moderators_removal_tombstones_the_message_for_members_and_tells_each_reporter_once(moderation, stream):
    owner, writer, member, moderator = (new_user() for _ in range(4))
    group_id = group(owner, writer, member)["id"]
    kept = sent(group_id, writer, "fine")
    rude = sent(group_id, writer, "something hateful")
    run_inbox(stream)
    reports = [report(group_id, rude["id"], who)[1] for who in (owner, member)]
    drain_broadcasts()
    status, problem, _ = decide(group_id, rude["id"], member, "remove", scopes=SCOPES)
    assert status == 403 and problem["type"] == "urn:eckospace:problem:insufficient-scope"
    assert decide(group_id, "msg_99", moderator, "remove")[0] == 404
    status, decision, _ = decide(group_id, rude["id"], moderator, "remove")
    assert status == 201 and decision["report_count"] == 2 and decision["action"] == "remove"
    assert decision["subject"] == {"type": "chat_message", "id": rude["id"], "conversation_id": group_id}
    assert decision["post_id"] is None

    stored = history(group_id, member)
    assert [(m["id"], m["text"], m["deleted"], m["removed_by"]) for m in stored] == [
        (rude["id"], None, True, "moderation"),
        (kept["id"], "fine", False, None),
    ]
    [deleted] = [d for d in drain_broadcasts() if d["event"] == "message.deleted"]
    assert deleted["channel"] == f"private-conversations.{group_id}"
    assert json.loads(deleted["data"])["removed_by"] == "moderation"
    run_inbox(stream)
    [listed], _ = inbox(member)
    assert listed["last_message"]["deleted"] and listed["last_message"]["text"] is None
    assert {r["id"] for r in queue(moderator)}.isdisjoint(r["id"] for r in reports)

    status, again, _ = decide(group_id, rude["id"], moderator, "remove")  # a retry
    assert status == 201 and again["report_count"] == 0
    assert [d["event"] for d in drain_broadcasts()] == []  # a tombstone already: nothing to broadcast
    events = taken(moderation["NotificationEventsQueue"], until=("report.resolved",))
    resolved = [e for e in events if e["type"] == "report.resolved" and e["data"]["subject"]["id"] == rude["id"]]
    assert sorted(e["data"]["reporter"] for e in resolved) == sorted([owner, member])
    consumer = _handlers["notifications_consumer"]
    for _ in range(2):  # delivered twice: notified once
        assert consumer(sqs_event(*resolved), Context()) == {"batchItemFailures": []}
    status, page, _ = call("notifications_list", "GET", "/api/notifications", owner, scopes="notifications:read")
    assert status == 200
    [notification] = [n for n in page["data"] if n["type"] == "report_resolved"]
    assert notification["subject"] == {"object": "report", "id": reports[0]["id"]}
    assert notification["data"] == {"conversation_id": group_id, "message_id": rude["id"], "action": "remove"}
    webhooks = taken(moderation["WebhookEventsQueue"], until=("moderation.decided",))
    decided = [e for e in webhooks if e["type"] == "moderation.decided" and e["data"]["subject"]["id"] == rude["id"]]
    assert [e["data"]["report_count"] for e in decided] == [2, 0]
    assert "something hateful" not in json.dumps(webhooks)


def test_a_dismissal_leaves_the_message_and_its_reporter_may_report_it_again(moderation):
    one, other, moderator = new_user(), new_user(), new_user()
    conversation_id = conversation(one, other)
    message = sent(conversation_id, one, "borderline")
    first = report(conversation_id, message["id"], other)[1]
    status, decision, _ = decide(conversation_id, message["id"], moderator, "dismiss")
    assert status == 201 and decision["report_count"] == 1 and decision["action"] == "dismiss"
    [stored] = history(conversation_id, other)
    assert stored["text"] == "borderline" and not stored["deleted"] and stored["removed_by"] is None
    assert first["id"] not in {r["id"] for r in queue(moderator)}
    status, second, _ = report(conversation_id, message["id"], other, reason="spam")
    assert status == 201 and second["id"] != first["id"]
