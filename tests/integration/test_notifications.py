"""Notifications through their handlers, in-process, against the emulator: the listing and its
cursor, the unread filter and count, marking read, preferences, who may call, and the consumer
turning each kind of domain event into one notification however often it is delivered; the push
of each new one onto its user's private channel."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from eckospace import aws
from eckospace.events import stable_event_id
from eckospace.notifications import push, store
from tests.integration.conftest import module_functions, module_handlers, sqs_event
from tests.support.lambda_proxy import Context, invoke

FUNCTIONS = module_functions("notifications", "posts")
_handlers: dict[str, Any] = {}
SCOPES = "notifications:read notifications:write posts:read posts:write"
NOTIFICATIONS = "/api/notifications"


@pytest.fixture
def api(function_env, backend):
    handlers = module_handlers(function_env, FUNCTIONS, _handlers)
    _drain(backend["template"].ref("NotificationEventsQueue"), handlers)  # other tests' events
    return backend["template"]


def new_user() -> str:
    return f"u-{uuid.uuid4().hex[:10]}"


def call(function: str, method: str, path: str, user: str, *, scopes: str = SCOPES, token_use: str = "user", **request):
    authorizer = {"sub": user, "scope": scopes, "token_use": token_use}
    answer = invoke(_handlers[function], method, path, authorizer=authorizer, **request)
    return answer.status, answer.body


def wallet_event(user: str, amount: int = 500, *, event_id: str | None = None, created: int | None = None) -> dict:
    return {
        "id": event_id or f"evt_{uuid.uuid4().hex}",
        "type": "wallet.credited",
        "created": created or int(time.time()),
        "subject": user,
        "data": {"amount": amount, "currency": "eur", "effect_id": f"topup:{uuid.uuid4().hex[:8]}"},
    }


def consume(*envelopes: dict) -> dict:
    return _handlers["notifications_consumer"](sqs_event(*envelopes), Context())


def _drain(queue_url: str, handlers: dict[str, Any]) -> list[dict]:
    """Hand what the notifications queue holds to the consumer, as Lambda would; the envelopes."""
    sqs, envelopes = aws.client("sqs"), []
    while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
        batch = [json.loads(message["Body"]) for message in messages]
        assert handlers["notifications_consumer"](sqs_event(*batch), Context()) == {"batchItemFailures": []}
        envelopes += batch
        for message in messages:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return envelopes


def listing(user: str, **query: str) -> list[dict]:
    found, cursor = [], None
    while True:
        status, page = call(
            "notifications_list", "GET", NOTIFICATIONS, user, query={**query, **({"cursor": cursor} if cursor else {})}
        )
        assert status == 200, page
        found += page["data"]
        if not (cursor := page["next_cursor"]):
            return found


def unread(user: str) -> int:
    status, body = call("notifications_unread_count", "GET", f"{NOTIFICATIONS}/unread-count", user)
    assert status == 200 and body["object"] == "unread_count"
    return body["unread"]


def test_listing_newest_first_with_cursor_unread_filter_and_counts(api):
    user = new_user()
    start = int(time.time()) - 10
    consume(*(wallet_event(user, amount, created=start + n) for n, amount in enumerate((100, 200, 300))))
    status, page = call("notifications_list", "GET", NOTIFICATIONS, user, query={"limit": "2"})
    assert status == 200 and [n["data"]["amount"] for n in page["data"]] == [300, 200] and page["next_cursor"]
    rest = call("notifications_list", "GET", NOTIFICATIONS, user, query={"limit": "2", "cursor": page["next_cursor"]})
    assert [n["data"]["amount"] for n in rest[1]["data"]] == [100]
    newest = page["data"][0]
    assert (
        newest["object"] == "notification" and newest["type"] == "wallet_credited" and newest["id"].startswith("ntf_")
    )
    assert newest["read"] is False and newest["read_at"] is None and newest["actor"] is None
    assert newest["subject"]["object"] == "wallet_entry" and newest["created_at"].endswith("Z")
    assert unread(user) == 3

    assert call("notifications_read", "POST", f"{NOTIFICATIONS}/{newest['id']}/read", user)[0] == 204
    assert call("notifications_read", "POST", f"{NOTIFICATIONS}/{newest['id']}/read", user)[0] == 204  # idempotent
    assert unread(user) == 2
    assert [n["data"]["amount"] for n in listing(user, unread="true", limit="1")] == [200, 100]
    [read] = [n for n in listing(user) if n["id"] == newest["id"]]
    assert read["read"] is True and read["read_at"]

    status, body = call("notifications_read_all", "POST", f"{NOTIFICATIONS}/read-all", user)
    assert status == 200 and body == {"object": "read_all", "marked": 2}
    assert unread(user) == 0 and listing(user, unread="true") == []
    assert call("notifications_read_all", "POST", f"{NOTIFICATIONS}/read-all", user)[1]["marked"] == 0
    # a cursor is the listing's and the caller's own
    assert call("notifications_list", "GET", NOTIFICATIONS, new_user(), query={"cursor": page["next_cursor"]})[0] == 400
    assert call("notifications_list", "GET", NOTIFICATIONS, user, query={"unread": "maybe"})[0] == 400


def test_notifications_are_their_owners_alone(api):
    owner, other = new_user(), new_user()
    consume(wallet_event(owner))
    [mine] = listing(owner)
    status, problem = call("notifications_read", "POST", f"{NOTIFICATIONS}/{mine['id']}/read", other)
    assert status == 404 and problem["status"] == 404
    assert call("notifications_read", "POST", f"{NOTIFICATIONS}/ntf_nonsense/read", owner)[0] == 404
    assert listing(other) == [] and unread(owner) == 1
    for function, method, path in (
        ("notifications_list", "GET", NOTIFICATIONS),
        ("notifications_unread_count", "GET", f"{NOTIFICATIONS}/unread-count"),
        ("notifications_read_all", "POST", f"{NOTIFICATIONS}/read-all"),
        ("notifications_preferences_get", "GET", f"{NOTIFICATIONS}/preferences"),
    ):  # an integration's client-credentials token, whatever its scopes
        assert call(function, method, path, "client-1", token_use="client")[0] == 403, function
    assert call("notifications_list", "GET", NOTIFICATIONS, owner, scopes="posts:read")[0] == 403


def test_preferences_switch_types_off_at_creation(api):
    user, author = new_user(), new_user()
    status, prefs = call("notifications_preferences_get", "GET", f"{NOTIFICATIONS}/preferences", user)
    assert status == 200 and prefs["object"] == "notification_preferences" and all(prefs["types"].values())
    put = f"{NOTIFICATIONS}/preferences"
    status, prefs = call(
        "notifications_preferences_put", "PUT", put, user, body={"types": {"wallet_credited": False, "mention": False}}
    )
    assert status == 200 and prefs["types"]["wallet_credited"] is False and prefs["types"]["reaction"] is True
    assert call("notifications_preferences_get", "GET", put, user)[1] == prefs
    status, problem = call("notifications_preferences_put", "PUT", put, user, body={"types": {"gossip": True}})
    assert status == 400 and problem["status"] == 400
    assert call("notifications_preferences_put", "PUT", put, user, body={"types": {"reaction": "maybe"}})[0] == 400

    consume(wallet_event(user))
    status, post = call("posts_create", "POST", "/api/posts", author, body={"text": f"hey @{user}"})
    assert status == 201
    assert listing(user) == [] and unread(user) == 0  # neither type made one
    call("notifications_preferences_put", "PUT", put, user, body={"types": {}})  # all on again
    consume(wallet_event(user))
    assert [n["type"] for n in listing(user)] == ["wallet_credited"]


def test_an_event_delivered_or_published_twice_notifies_once(api):
    user = new_user()
    event = wallet_event(user)
    assert consume(event, event) == {"batchItemFailures": []}
    consume(event)
    consume({**event, "created": event["created"] + 60})  # published again by a retry, later
    assert len(listing(user)) == 1 and unread(user) == 1
    consume({**event, "type": "payment.succeeded"}, {**event, "type": "nothing.known"})  # no notification types
    assert len(listing(user)) == 1


def test_each_event_makes_its_notification(api):
    template = api
    author, fan, reporter, moderator = new_user(), new_user(), new_user(), new_user()
    status, post = call("posts_create", "POST", "/api/posts", author, body={"text": f"hello @{fan}"})
    assert status == 201
    [mention] = listing(fan)
    assert mention["type"] == "mention" and mention["actor"] == author
    assert mention["subject"] == {"object": "post", "id": post["id"]} and mention["data"] == {}

    reaction = f"/api/posts/{post['id']}/reaction"
    assert call("posts_reaction_put", "PUT", reaction, fan, body={"type": "love"})[0] == 201
    assert call("posts_reaction_put", "PUT", reaction, fan, body={"type": "love"})[0] == 200  # a retry: announced again
    assert call("posts_reaction_put", "PUT", reaction, author, body={"type": "like"})[0] == 201  # their own post
    assert call("posts_reaction_delete", "DELETE", reaction, fan)[0] == 204
    assert call("posts_reaction_put", "PUT", reaction, fan, body={"type": "wow"})[0] == 201  # again: no second
    status, report = call(
        "posts_report_create", "POST", f"/api/posts/{post['id']}/reports", reporter, body={"reason": "spam"}
    )
    assert status == 201
    status, _ = call(
        "posts_moderation_decision_create",
        "POST",
        f"/api/moderation/posts/{post['id']}/decisions",
        moderator,
        body={"action": "hide", "reason": "spam"},
        scopes="moderation:read moderation:write",
    )
    assert status == 201
    queue = template.ref("NotificationEventsQueue")
    types: set[str] = set()
    for _ in range(10):  # SNS delivers to the queue a moment after publishing
        types |= {envelope["type"] for envelope in _drain(queue, _handlers)}
        if {"post.reaction_added", "post.moderated", "report.resolved"} <= types:
            break
        time.sleep(0.3)
    assert "moderation.decided" not in types and "post.reported" not in types  # filtered out by SNS

    assert [n["type"] for n in listing(author)].count("reaction") == 1  # retried and re-added, one notification
    by_type = {n["type"]: n for n in listing(author)}
    assert set(by_type) == {"reaction", "post_moderated"}
    assert by_type["reaction"]["actor"] == fan and by_type["reaction"]["data"] == {"reaction": "love"}
    assert by_type["post_moderated"]["data"] == {"action": "hide", "reason": "spam"}
    assert by_type["post_moderated"]["actor"] is None
    [resolved] = listing(reporter)
    assert resolved["type"] == "report_resolved" and resolved["subject"] == {"object": "report", "id": report["id"]}
    assert resolved["data"] == {"post_id": post["id"], "action": "hide"}

    consume({**wallet_event(fan, 700), "type": "wallet.debited", "id": stable_event_id(f"debit:{fan}")})
    consume(wallet_event(fan, 900))
    assert {n["type"]: n["data"]["amount"] for n in listing(fan) if n["type"].startswith("wallet")} == {
        "wallet_debited": 700,
        "wallet_credited": 900,
    }
    assert unread(fan) == 3 and unread(author) == 2


def test_each_new_notification_is_pushed_on_its_users_channel(api, backend, monkeypatch):
    user = new_user()
    consume(wallet_event(user, 1234))
    item = aws.client("dynamodb").query(
        TableName=store.table(),
        KeyConditionExpression="pk = :p AND begins_with(sk, :n)",
        ExpressionAttributeValues={":p": {"S": f"user#{user}"}, ":n": {"S": "ntf_"}},
    )["Items"][0]
    fanout = backend["template"].ref("RealtimeFanoutQueue")
    sqs = aws.client("sqs")
    while sqs.receive_message(QueueUrl=fanout, MaxNumberOfMessages=10).get("Messages"):
        pass  # what others left (invisible for a while now)
    handler = _handlers["notifications_push"]
    records = [
        {
            "eventID": "1",
            "eventName": "INSERT",
            "dynamodb": {"Keys": {"pk": item["pk"], "sk": item["sk"]}, "NewImage": item},
        },
        {
            "eventID": "2",
            "eventName": "MODIFY",
            "dynamodb": {"Keys": {"pk": item["pk"], "sk": item["sk"]}, "NewImage": item},
        },
    ]
    assert handler({"Records": records}, Context()) == {"batchItemFailures": []}
    [message] = sqs.receive_message(QueueUrl=fanout, MaxNumberOfMessages=10, WaitTimeSeconds=1)["Messages"]
    delivery = json.loads(message["Body"])
    assert delivery["channel"] == push.user_channel(user) and delivery["event"] == push.EVENT
    body = json.loads(delivery["data"])
    assert body["object"] == "notification" and body["data"]["amount"] == 1234 and body["id"] == item["sk"]["S"]
    sqs.delete_message(QueueUrl=fanout, ReceiptHandle=message["ReceiptHandle"])
