"""The realtime functions in-process, against the emulator's DynamoDB, SQS and Secrets Manager.

What API Gateway does around them is played by `Sockets` (the @connections API: frames posted to
each open connection, 410 for a gone one) and by calling the handlers as the WebSocket API would;
the real WebSocket path, with pusher-js, is the e2e tier's.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import pusher
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from botocore.exceptions import ClientError

from eckospace import aws
from eckospace.realtime import broadcasting, fanout, settings, store
from eckospace.realtime.sending import Sent
from eckospace.realtime.signatures import app_secrets
from tests.integration.conftest import module_functions, module_handlers
from tests.support.lambda_proxy import Answer, Context, rest_event

FUNCTIONS = module_functions("realtime")
_handlers: dict[str, Any] = {}


class Sockets:
    """API Gateway's side of the connections: which are open, and the frames each received."""

    def __init__(self) -> None:
        self.open: set[str] = set()
        self.frames: dict[str, list[dict[str, Any]]] = {}
        self.failing: set[str] = set()  # connections whose sends fail for a moment (500)
        self.deleted: list[str] = []
        self.invocations: list[dict[str, Any]] = []

    def post_to_connection(self, ConnectionId: str, Data: bytes) -> dict[str, Any]:  # noqa: N803 - botocore's
        if ConnectionId in self.failing:
            raise ClientError({"Error": {"Code": "InternalServerError", "Message": "busy"}}, "PostToConnection")
        if ConnectionId not in self.open:
            raise ClientError({"Error": {"Code": "GoneException", "Message": "gone"}}, "PostToConnection")
        self.frames.setdefault(ConnectionId, []).append(json.loads(Data))
        return {}

    def post(self, connection_id: str, data: bytes) -> Sent:
        """What fan-outs send with (`eckospace.realtime.sending.ConnectionsApi.post`)."""
        try:
            self.post_to_connection(ConnectionId=connection_id, Data=data)
        except ClientError as error:
            return Sent.GONE if fanout.gone(error) else Sent.FAILED
        return Sent.SENT

    def delete_connection(self, ConnectionId: str) -> dict[str, Any]:  # noqa: N803
        if ConnectionId not in self.open:
            raise ClientError({"Error": {"Code": "GoneException", "Message": "gone"}}, "DeleteConnection")
        self.deleted.append(ConnectionId)
        self.open.discard(ConnectionId)
        return {}

    def invoke(self, FunctionName: str, InvocationType: str, Payload: bytes) -> dict[str, Any]:  # noqa: N803
        assert InvocationType == "Event"
        self.invocations.append(json.loads(Payload))
        return {"StatusCode": 202}

    def events(self, connection_id: str, name: str | None = None) -> list[dict[str, Any]]:
        return [f for f in self.frames.get(connection_id, []) if name is None or f["event"] == name]


class Realtime:
    """The WebSocket API and its queue, driven by hand."""

    def __init__(self, handlers: dict[str, Any], sockets: Sockets) -> None:
        self.handlers, self.sockets = handlers, sockets

    def connect(self, query: dict[str, str] | None = None) -> tuple[str, str | None]:
        connection_id = uuid.uuid4().hex[:12] + "="
        event = {
            "requestContext": {"routeKey": "$connect", "eventType": "CONNECT", "connectionId": connection_id},
            "queryStringParameters": {"protocol": "7", "client": "js", "version": "8.6.0", **(query or {})},
        }
        assert self.handlers["realtime_connect"](event, Context())["statusCode"] == 200
        self.sockets.open.add(connection_id)  # the upgrade completes
        self.handlers["realtime_welcome"](self.sockets.invocations.pop(), Context())
        (first,) = self.sockets.frames[connection_id]
        if first["event"] != "pusher:connection_established":
            return connection_id, None
        return connection_id, json.loads(first["data"])["socket_id"]

    def send(self, connection_id: str, message: dict[str, Any] | str) -> dict[str, Any] | None:
        body = message if isinstance(message, str) else json.dumps(message)
        event = {"requestContext": {"routeKey": "$default", "eventType": "MESSAGE", "connectionId": connection_id}}
        answer = self.handlers["realtime_message"]({**event, "body": body}, Context())
        assert answer["statusCode"] == 200
        return json.loads(answer["body"]) if answer.get("body") else None

    def disconnect(self, connection_id: str) -> None:
        self.sockets.open.discard(connection_id)
        event = {
            "requestContext": {"routeKey": "$disconnect", "eventType": "DISCONNECT", "connectionId": connection_id}
        }
        self.handlers["realtime_disconnect"](event, Context())

    def deliver(self) -> int:
        """Run the fan-out function over what is queued now; how many messages it took."""
        sqs, taken = aws.client("sqs"), 0
        while True:
            answer = sqs.receive_message(
                QueueUrl=broadcasting.FANOUT_QUEUE(), MaxNumberOfMessages=10, WaitTimeSeconds=0
            )
            messages = answer.get("Messages", [])
            if not messages:
                return taken
            records = [
                {
                    "messageId": m["MessageId"],
                    "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"],
                    "attributes": {"ApproximateReceiveCount": "1"},
                    "messageAttributes": {},
                    "md5OfBody": "",
                    "eventSource": "aws:sqs",
                    "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
                    "awsRegion": "us-east-1",
                }
                for m in messages
            ]
            result = self.handlers["realtime_fanout"]({"Records": records}, Context())
            assert result == {"batchItemFailures": []}
            sqs.delete_message_batch(
                QueueUrl=broadcasting.FANOUT_QUEUE(),
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
            )
            taken += len(messages)

    def auth(self, user: str, socket_id: str, channel: str) -> tuple[int, dict[str, Any]]:
        answer = call(
            self.handlers["realtime_channel_auth"],
            rest_event(
                "POST",
                "/broadcasting/auth",
                body=urlencode({"socket_id": socket_id, "channel_name": channel}),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                authorizer={"principalId": user, "sub": user, "scope": "realtime:read", "token_use": "user"},
            ),
        )
        return answer.status, answer.body

    def subscribe(self, connection_id: str, socket_id: str, channel: str, user: str | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {"channel": channel, "auth": ""}
        if user is not None:
            status, granted = self.auth(user, socket_id, channel)
            assert status == 200, granted
            data.update(granted)
        answer = self.send(connection_id, {"event": "pusher:subscribe", "data": data})
        assert answer is not None
        return answer


def call(handler: Any, event: dict[str, Any]) -> Answer:
    return Answer.of(handler(event, Context()))


@pytest.fixture
def sockets() -> Sockets:
    return Sockets()


@pytest.fixture
def realtime(function_env, sockets, monkeypatch) -> Realtime:
    handlers = module_handlers(function_env, FUNCTIONS, _handlers)
    aws.use_client(f"apigatewaymanagementapi@{fanout.connections_endpoint()}", sockets)
    monkeypatch.setattr(fanout, "sender", lambda: sockets)
    aws.use_client("lambda", sockets)
    realtime = Realtime(handlers, sockets)
    realtime.deliver()  # nothing left over from another test
    return realtime


def signed(method: str, path: str, body: bytes, *, secret: str | None = None, **overrides: str) -> dict[str, str]:
    """The query a Pusher server library sends (the app's key and active secret unless told)."""
    query = {
        "auth_key": settings.APP_KEY(),
        "auth_timestamp": str(int(time.time())),
        "auth_version": "1.0",
        "body_md5": hashlib.md5(body).hexdigest(),  # noqa: S324 - Pusher's
    }
    query.update(overrides)
    to_sign = "\n".join([method, path, "&".join(f"{k}={query[k]}" for k in sorted(query))])
    key = secret or app_secrets().signing
    query["auth_signature"] = hmac.new(key.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    return query


def publish(realtime: Realtime, body: dict[str, Any] | bytes, **overrides: str) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    path = f"/apps/{settings.APP_ID()}/events"
    return call(
        realtime.handlers["realtime_events_publish"],
        rest_event("POST", path, body=raw.decode(), query=signed("POST", path, raw, **overrides)),
    )


# ------------------------------------------------------------------ connecting
def test_a_connection_is_welcomed_with_a_pusher_socket_id_and_activity_timeout(realtime, sockets):
    connection_id, socket_id = realtime.connect()
    (welcome,) = sockets.frames[connection_id]
    data = json.loads(welcome["data"])
    assert welcome["event"] == "pusher:connection_established"
    assert socket_id and all(part.isdigit() for part in socket_id.split(".")) and socket_id.count(".") == 1
    assert data["activity_timeout"] == settings.ACTIVITY_TIMEOUT()


def test_the_welcome_waits_for_the_upgrade_to_complete(realtime, sockets):
    event = {"requestContext": {"connectionId": "late="}, "queryStringParameters": {"protocol": "7"}}
    realtime.handlers["realtime_connect"](event, Context())
    request = sockets.invocations.pop()
    # Not open yet: the first posts are 410.
    calls = []

    def open_on_third_post(ConnectionId: str, Data: bytes) -> dict[str, Any]:  # noqa: N803
        calls.append(ConnectionId)
        if len(calls) == 3:
            sockets.open.add(ConnectionId)
        return Sockets.post_to_connection(sockets, ConnectionId=ConnectionId, Data=Data)

    sockets.post_to_connection = open_on_third_post  # type: ignore[method-assign]
    assert realtime.handlers["realtime_welcome"](request, Context()) == {"sent": True}
    assert len(calls) == 3 and sockets.events("late=", "pusher:connection_established")


@pytest.mark.parametrize(
    ("query", "code"),
    [({"app_key": "not-the-key"}, 4001), ({"protocol": "4"}, 4007), ({"protocol": "seven"}, 4007)],
)
def test_an_unknown_key_or_protocol_is_refused_in_the_handshake_and_recorded_nowhere(realtime, sockets, query, code):
    connection_id, socket_id = realtime.connect(query)
    (refusal,) = sockets.frames[connection_id]
    assert socket_id is None and refusal["event"] == "pusher:error" and refusal["data"]["code"] == code
    assert sockets.deleted == [connection_id]
    assert (
        realtime.send(connection_id, {"event": "pusher:subscribe", "data": {"channel": "news"}})["data"]["code"] == 4200
    )


def test_ping_gets_a_pong_and_bad_frames_get_the_protocols_error(realtime):
    connection_id, _ = realtime.connect()
    assert realtime.send(connection_id, {"event": "pusher:ping", "data": {}}) == {"event": "pusher:pong", "data": {}}
    for bad in ("not json", "[1]", json.dumps({"data": {}}), json.dumps({"event": "pusher:signin", "data": {}})):
        answer = realtime.send(connection_id, bad)
        assert answer is not None and answer["event"] == "pusher:error", bad


# ------------------------------------------------------------------ channels and publishing
def test_a_public_channel_receives_what_the_pusher_library_publishes(realtime, sockets, monkeypatch):
    listener, socket_id = realtime.connect()
    answer = realtime.subscribe(listener, socket_id, "news")
    assert answer == {"event": "pusher_internal:subscription_succeeded", "channel": "news", "data": "{}"}
    # The official library signs the request; its HTTP call is replaced by our handler.
    client = pusher.Pusher(app_id=settings.APP_ID(), key=settings.APP_KEY(), secret=app_secrets().signing)
    sent: list[Any] = []

    def through_handler(request: Any) -> Any:
        query = dict(request.query_params)
        event = rest_event(request.method, request.path, body=request.body, query=query)
        answer = call(realtime.handlers["realtime_events_publish"], event)
        sent.append(answer)
        return answer.body

    monkeypatch.setattr(client._pusher_client.http, "send_request", through_handler)
    client.trigger("news", "headline", {"title": "Hello"})
    assert sent[0].status == 200 and sent[0].body == {}
    assert realtime.deliver() == 1
    (event,) = sockets.events(listener, "headline")
    assert event["channel"] == "news" and json.loads(event["data"]) == {"title": "Hello"}


def test_socket_id_exclusion_skips_the_publishers_own_connection(realtime, sockets):
    first, first_socket = realtime.connect()
    second, second_socket = realtime.connect()
    for connection_id, socket_id in ((first, first_socket), (second, second_socket)):
        realtime.subscribe(connection_id, socket_id, "orders")
    assert (
        publish(realtime, {"name": "shipped", "data": "{}", "channel": "orders", "socket_id": first_socket}).status
        == 200
    )
    realtime.deliver()
    assert not sockets.events(first, "shipped") and len(sockets.events(second, "shipped")) == 1


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"auth_signature": "0" * 64}, 401),
        ({"auth_timestamp": str(int(time.time()) - 601)}, 401),
        ({"auth_key": "someone-else"}, 401),
        ({"body_md5": "0" * 32}, 401),
    ],
)
def test_a_badly_signed_publish_is_refused_and_publishes_nothing(realtime, sockets, change, status):
    body = json.dumps({"name": "e", "data": "{}", "channel": "news"}).encode()
    path = f"/apps/{settings.APP_ID()}/events"
    query = signed("POST", path, body)
    query.update(change)
    answer = call(
        realtime.handlers["realtime_events_publish"], rest_event("POST", path, body=body.decode(), query=query)
    )
    assert answer.status == status and answer.body["type"] == "urn:eckospace:problem:invalid-signature"
    assert realtime.deliver() == 0


def test_a_request_signed_with_the_previous_secret_still_publishes_during_a_rotation(realtime, backend):
    ring = app_secrets()
    rotated = ring.rotated()
    secret_id = settings.APP_SECRETS()
    aws.client("secretsmanager").put_secret_value(SecretId=secret_id, SecretString=json.dumps(rotated.document()))
    from eckospace import keyrings

    keyrings._provider.cache_clear()
    try:
        assert publish(realtime, {"name": "e", "data": "{}", "channel": "news"}, secret=ring.signing).status == 200
    finally:
        aws.client("secretsmanager").put_secret_value(SecretId=secret_id, SecretString=json.dumps(ring.document()))
        keyrings._provider.cache_clear()


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"name": "e", "data": "x" * (10 * 1024 + 1), "channel": "news"}, 413),
        ({"name": "e", "data": "{}", "channels": [f"c{i}" for i in range(101)]}, 400),
        ({"name": "e", "data": "{}", "channel": "bad channel!"}, 400),
        ({"name": "e", "data": {"not": "a string"}, "channel": "news"}, 400),
        ({"name": "e", "data": "{}"}, 400),
        ({"name": "e", "data": "{}", "channel": "news", "socket_id": "abc"}, 400),
        (b"{not json", 400),
    ],
)
def test_an_invalid_publish_is_refused_whole(realtime, body, status):
    answer = publish(realtime, body)
    assert answer.status == status, answer.body
    assert realtime.deliver() == 0


def test_batch_events_publish_all_or_none(realtime, sockets):
    listener, socket_id = realtime.connect()
    realtime.subscribe(listener, socket_id, "news")
    path = f"/apps/{settings.APP_ID()}/batch_events"

    def batch(events: list[dict[str, Any]]) -> Any:
        raw = json.dumps({"batch": events}).encode()
        return call(
            realtime.handlers["realtime_batch_events_publish"],
            rest_event("POST", path, body=raw.decode(), query=signed("POST", path, raw)),
        )

    assert batch([{"name": f"e{i}", "data": "{}", "channel": "news"} for i in range(11)]).status == 400
    assert (
        batch([{"name": "ok", "data": "{}", "channel": "news"}, {"name": "e", "data": "{}", "channel": "b d"}]).status
        == 400
    )
    assert realtime.deliver() == 0
    assert batch([{"name": f"e{i}", "data": "{}", "channel": "news"} for i in range(3)]).status == 200
    realtime.deliver()
    assert [e["event"] for e in sockets.frames[listener][1:]] == ["e0", "e1", "e2"]


def test_a_channel_named_twice_gets_the_event_once(realtime, sockets):
    listener, socket_id = realtime.connect()
    realtime.subscribe(listener, socket_id, "twice")
    assert publish(realtime, {"name": "e", "data": "{}", "channels": ["twice", "twice"]}).status == 200
    realtime.deliver()
    assert len(sockets.events(listener, "e")) == 1


def test_a_form_with_too_many_fields_is_refused(realtime):
    _, socket_id = realtime.connect()
    answer = call(
        realtime.handlers["realtime_channel_auth"],
        rest_event(
            "POST",
            "/broadcasting/auth",
            body="&".join(f"f{i}=x" for i in range(30)) + f"&socket_id={socket_id}&channel_name=private-users.u1",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            authorizer={"principalId": "u1", "sub": "u1", "scope": "realtime:read", "token_use": "user"},
        ),
    )
    assert answer.status == 400


def test_the_app_id_must_be_the_apps(realtime):
    raw = b'{"name":"e","data":"{}","channel":"news"}'
    path = "/apps/999/events"
    answer = call(
        realtime.handlers["realtime_events_publish"],
        rest_event("POST", path, body=raw.decode(), query=signed("POST", path, raw)),
    )
    assert answer.status == 404


# ------------------------------------------------------------------ private channels
def test_a_private_channel_needs_a_valid_authorization(realtime, sockets):
    connection_id, socket_id = realtime.connect()
    user = f"u{uuid.uuid4().hex[:8]}"
    ok = realtime.subscribe(connection_id, socket_id, f"private-users.{user}", user=user)
    assert ok["event"] == "pusher_internal:subscription_succeeded"
    status, _ = realtime.auth("someone-else", socket_id, f"private-users.{user}")
    assert status == 403
    # Forged, or signed for another socket: refused on the channel, and not subscribed.
    other, other_socket = realtime.connect()
    _, granted = realtime.auth(user, socket_id, f"private-users.{user}")
    refused = realtime.send(
        other, {"event": "pusher:subscribe", "data": {"channel": f"private-users.{user}", **granted}}
    )
    assert refused is not None and refused["event"] == "pusher:subscription_error"
    assert json.loads(refused["data"])["status"] == 401
    forged = {"channel": f"private-users.{user}", "auth": f"{settings.APP_KEY()}:{'0' * 64}"}
    assert realtime.send(other, {"event": "pusher:subscribe", "data": forged})["event"] == "pusher:subscription_error"
    publish(realtime, {"name": "note", "data": "{}", "channel": f"private-users.{user}"})
    realtime.deliver()
    assert len(sockets.events(connection_id, "note")) == 1 and not sockets.events(other, "note")


@pytest.mark.parametrize("channel", ["private-users.", "private-secrets", "presence-rooms.1", "private-encrypted-x"])
def test_channels_no_rule_opens_are_refused_authorization(realtime, channel):
    _, socket_id = realtime.connect()
    status, problem = realtime.auth("u1", socket_id, channel)
    assert status in (400, 403), problem


def test_client_events_go_to_the_other_members_only(realtime, sockets):
    user = f"u{uuid.uuid4().hex[:8]}"
    channel = f"private-users.{user}"
    sender, sender_socket = realtime.connect()
    receiver, receiver_socket = realtime.connect()
    outsider, _ = realtime.connect()
    realtime.subscribe(sender, sender_socket, channel, user=user)
    realtime.subscribe(receiver, receiver_socket, channel, user=user)
    assert realtime.send(sender, {"event": "client-typing", "channel": channel, "data": {"name": "Bob"}}) is None
    realtime.deliver()
    (typing,) = sockets.events(receiver, "client-typing")
    assert json.loads(typing["data"]) == {"name": "Bob"} and not sockets.events(sender, "client-typing")
    refused = realtime.send(outsider, {"event": "client-typing", "channel": channel, "data": {}})
    assert refused["event"] == "pusher:error" and refused["data"]["code"] == 4009
    realtime.subscribe(outsider, _, "news")
    public = realtime.send(outsider, {"event": "client-x", "channel": "news", "data": {}})
    assert public["event"] == "pusher:error" and public["data"]["code"] == 4009


def test_client_events_are_limited_per_connection_and_second(realtime, sockets, monkeypatch):
    user = f"u{uuid.uuid4().hex[:8]}"
    sender, socket_id = realtime.connect()
    realtime.subscribe(sender, socket_id, f"private-users.{user}", user=user)
    limit = settings.CLIENT_EVENTS_PER_SECOND()
    # The burst falls in one second, however slowly the machine runs it; the next second starts over
    clock = [float(int(time.time()))]
    monkeypatch.setattr(store, "time", SimpleNamespace(time=lambda: clock[0]))
    answers = [
        realtime.send(sender, {"event": "client-x", "channel": f"private-users.{user}", "data": {}})
        for _ in range(limit + 3)
    ]
    refused = [a for a in answers if a is not None]
    assert len(refused) == 3 and all(a["data"]["code"] == 4301 for a in refused)
    clock[0] += 1
    assert realtime.send(sender, {"event": "client-x", "channel": f"private-users.{user}", "data": {}}) is None


# ------------------------------------------------------------------ presence
def test_presence_members_are_announced_once_per_user_and_never_to_themselves(realtime, sockets):
    channel = f"presence-hashtags.t{uuid.uuid4().hex[:8]}"
    alice, bob = f"a{uuid.uuid4().hex[:6]}", f"b{uuid.uuid4().hex[:6]}"
    a1, a1_socket = realtime.connect()
    joined = realtime.subscribe(a1, a1_socket, channel, user=alice)
    presence = json.loads(joined["data"])["presence"]
    assert presence == {"ids": [alice], "hash": {alice: {"id": alice}}, "count": 1}
    b1, b1_socket = realtime.connect()
    b2, b2_socket = realtime.connect()
    realtime.subscribe(b1, b1_socket, channel, user=bob)
    realtime.subscribe(b2, b2_socket, channel, user=bob)  # bob's second tab: no second member_added
    realtime.deliver()
    added = sockets.events(a1, "pusher_internal:member_added")
    assert [json.loads(e["data"])["user_id"] for e in added] == [bob]
    assert not sockets.events(b1, "pusher_internal:member_added")
    realtime.disconnect(b1)
    realtime.deliver()
    assert not sockets.events(a1, "pusher_internal:member_removed")  # bob is still there
    realtime.disconnect(b2)
    realtime.deliver()
    removed = sockets.events(a1, "pusher_internal:member_removed")
    assert [json.loads(e["data"]) for e in removed] == [{"user_id": bob}]
    path = f"/apps/{settings.APP_ID()}/channels/{channel}/users"
    users = call(
        realtime.handlers["realtime_channel_users_list"], rest_event("GET", path, query=signed("GET", path, b""))
    )
    assert users.body == {"users": [{"id": alice}]}


def test_presence_client_events_carry_the_senders_user_id(realtime, sockets):
    channel = f"presence-hashtags.t{uuid.uuid4().hex[:8]}"
    a, a_socket = realtime.connect()
    b, b_socket = realtime.connect()
    realtime.subscribe(a, a_socket, channel, user="alice")
    realtime.subscribe(b, b_socket, channel, user="bob")
    realtime.send(a, {"event": "client-wave", "channel": channel, "data": {}})
    realtime.deliver()
    (wave,) = sockets.events(b, "client-wave")
    assert wave["user_id"] == "alice"


def test_a_forged_presence_identity_is_refused(realtime):
    channel = f"presence-hashtags.t{uuid.uuid4().hex[:8]}"
    connection_id, socket_id = realtime.connect()
    _, granted = realtime.auth("alice", socket_id, channel)
    forged = {**granted, "channel_data": granted["channel_data"].replace("alice", "admin")}
    answer = realtime.send(connection_id, {"event": "pusher:subscribe", "data": {"channel": channel, **forged}})
    assert answer["event"] == "pusher:subscription_error" and json.loads(answer["data"])["status"] == 401


# ------------------------------------------------------------------ limits and fan-out
def test_channels_per_connection_are_limited(realtime, monkeypatch):
    monkeypatch.setenv("ECKO_REALTIME_CHANNELS_PER_CONNECTION", "2")
    from eckospace.config import forget_settings

    forget_settings()
    connection_id, socket_id = realtime.connect()
    realtime.subscribe(connection_id, socket_id, "a")
    realtime.subscribe(connection_id, socket_id, "b")
    assert realtime.subscribe(connection_id, socket_id, "a")["event"] == "pusher_internal:subscription_succeeded"
    refused = realtime.subscribe(connection_id, socket_id, "c")
    assert refused["event"] == "pusher:subscription_error" and json.loads(refused["data"])["type"] == "LimitReached"
    realtime.send(connection_id, {"event": "pusher:unsubscribe", "data": {"channel": "a"}})
    assert realtime.subscribe(connection_id, socket_id, "c")["event"] == "pusher_internal:subscription_succeeded"


def test_presence_members_are_limited(realtime, monkeypatch):
    monkeypatch.setenv("ECKO_REALTIME_PRESENCE_MEMBERS", "2")
    from eckospace.config import forget_settings

    forget_settings()
    channel = f"presence-hashtags.t{uuid.uuid4().hex[:8]}"
    answers = []
    for user in ("u1", "u2", "u3"):
        connection_id, socket_id = realtime.connect()
        answers.append(realtime.subscribe(connection_id, socket_id, channel, user=user))
    assert [a["event"] for a in answers] == ["pusher_internal:subscription_succeeded"] * 2 + [
        "pusher:subscription_error"
    ]


def test_a_gone_connection_is_pruned_and_a_failing_one_retried_alone(realtime, sockets):
    channel = f"c{uuid.uuid4().hex[:8]}"
    ids = []
    for _ in range(3):
        connection_id, socket_id = realtime.connect()
        realtime.subscribe(connection_id, socket_id, channel)
        ids.append(connection_id)
    healthy, gone, failing = ids
    sockets.open.discard(gone)  # closed without a $disconnect
    sockets.failing.add(failing)
    publish(realtime, {"name": "e", "data": "{}", "channel": channel})
    realtime.deliver()
    assert len(sockets.events(healthy, "e")) == 1
    path = f"/apps/{settings.APP_ID()}/channels/{channel}"
    query = {"info": "subscription_count"}
    info = call(
        realtime.handlers["realtime_channel_get"],
        rest_event("GET", path, query={**query, **signed("GET", path, b"", **query)}),
    )
    assert info.body == {"occupied": True, "subscription_count": 2}
    sockets.failing.clear()
    time.sleep(2.5)  # the retry is delayed
    realtime.deliver()
    assert len(sockets.events(failing, "e")) == 1 and len(sockets.events(healthy, "e")) == 1


def test_connections_per_user_are_limited(realtime, monkeypatch):
    monkeypatch.setenv("ECKO_REALTIME_CONNECTIONS_PER_USER", "2")
    from eckospace.config import forget_settings

    forget_settings()
    user = f"u{uuid.uuid4().hex[:8]}"
    opened = [realtime.connect() for _ in range(3)]
    answers = [realtime.subscribe(c, s, f"private-users.{user}", user=user) for c, s in opened]
    assert [a["event"] for a in answers[:2]] == ["pusher_internal:subscription_succeeded"] * 2
    assert (
        answers[2]["event"] == "pusher:subscription_error" and json.loads(answers[2]["data"])["type"] == "LimitReached"
    )
    realtime.disconnect(opened[0][0])  # one tab closed: room for another
    assert realtime.subscribe(*opened[2], f"private-users.{user}", user=user)["event"] == (
        "pusher_internal:subscription_succeeded"
    )


@pytest.mark.parametrize("channel", ["has space", "x" * 165, "#server-to-user-1", 7, None])
def test_an_invalid_channel_name_is_refused_and_subscribes_nothing(realtime, channel):
    connection_id, _ = realtime.connect()
    answer = realtime.send(connection_id, {"event": "pusher:subscribe", "data": {"channel": channel}})
    assert answer is not None and answer["event"] == "pusher:error"
    items = aws.client("dynamodb").query(
        TableName=settings.TABLE(),
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"c#{connection_id}"}},
    )["Items"]
    assert [item["sk"]["S"] for item in items] == ["c"]  # the connection, in no channel


def test_a_fanout_that_dies_halfway_is_reported_so_sqs_delivers_it_again(realtime, sockets, monkeypatch):
    channel = f"c{uuid.uuid4().hex[:8]}"
    ids = []
    for _ in range(3):
        connection_id, socket_id = realtime.connect()
        realtime.subscribe(connection_id, socket_id, channel)
        ids.append(connection_id)
    publish(realtime, {"name": "e", "data": "{}", "channel": channel})
    message = aws.client("sqs").receive_message(QueueUrl=broadcasting.FANOUT_QUEUE(), WaitTimeSeconds=1)["Messages"][0]
    record = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
        "awsRegion": "us-east-1",
    }
    sent = []

    def dies_after_one(connection_id: str, data: bytes) -> Sent:
        if sent:
            raise MemoryError("the sandbox ran out of memory")  # the invocation dies mid-fan-out
        sent.append(connection_id)
        return Sockets.post(sockets, connection_id, data)

    monkeypatch.setattr(sockets, "post", dies_after_one)
    with pytest.raises(BatchProcessingError):  # the invocation fails: SQS keeps the message and delivers it again
        realtime.handlers["realtime_fanout"]({"Records": [record]}, Context())
    monkeypatch.undo()
    monkeypatch.setattr(fanout, "sender", lambda: sockets)
    assert realtime.handlers["realtime_fanout"]({"Records": [record]}, Context()) == {"batchItemFailures": []}
    assert all(len(sockets.events(connection_id, "e")) >= 1 for connection_id in ids)  # at least once, all


def test_terminate_connections_closes_the_users_connections_only(realtime, sockets):
    user, other = f"u{uuid.uuid4().hex[:8]}", f"u{uuid.uuid4().hex[:8]}"
    mine = [realtime.connect() for _ in range(2)]
    theirs = realtime.connect()
    for connection_id, socket_id in mine:
        realtime.subscribe(connection_id, socket_id, f"private-users.{user}", user=user)
    realtime.subscribe(*theirs, f"private-users.{other}", user=other)
    sockets.open.discard(mine[1][0])  # already dropped by API Gateway, without a $disconnect
    path = f"/apps/{settings.APP_ID()}/users/{user}/terminate_connections"
    answer = call(
        realtime.handlers["realtime_user_connections_terminate"],
        rest_event("POST", path, body="{}", query=signed("POST", path, b"{}")),
    )
    assert answer.status == 200 and answer.body == {}
    assert sockets.deleted == [mine[0][0]]  # the open one closed; its $disconnect cleans up
    gone_items = aws.client("dynamodb").query(
        TableName=settings.TABLE(),
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"c#{mine[1][0]}"}},
    )["Items"]
    assert gone_items == []  # the dropped one forgotten at once
    assert theirs[0] not in sockets.deleted


def test_terminate_connections_needs_the_signature(realtime, sockets):
    path = f"/apps/{settings.APP_ID()}/users/anyone/terminate_connections"
    query = signed("POST", path, b"{}")
    query["auth_signature"] = "0" * 64
    answer = call(
        realtime.handlers["realtime_user_connections_terminate"], rest_event("POST", path, body="{}", query=query)
    )
    assert answer.status == 401 and sockets.deleted == []


def test_an_eviction_takes_the_users_connections_out_of_the_channels_and_tells_them_alone(realtime, sockets):
    channel = f"presence-hashtags.t{uuid.uuid4().hex[:8]}"
    alice, bob = f"a{uuid.uuid4().hex[:6]}", f"b{uuid.uuid4().hex[:6]}"
    mine = [realtime.connect() for _ in range(2)]
    for connection_id, socket_id in mine:
        realtime.subscribe(connection_id, socket_id, channel, user=alice)
    private = f"private-users.{alice}"
    status, granted = realtime.auth(alice, mine[0][1], private)
    assert status == 200 and json.loads(granted["channel_data"]) == {"user_id": alice}  # whose it is, signed
    realtime.subscribe(*mine[0], private, user=alice)
    theirs, their_socket = realtime.connect()
    realtime.subscribe(theirs, their_socket, channel, user=bob)
    realtime.deliver()

    broadcasting.evict(alice, [channel, private], "conversation.left", {"id": "grp_x"})
    realtime.deliver()
    for connection_id, _ in mine:
        assert store.membership(connection_id, channel) is None and store.membership(connection_id, private) is None
    left = [(e["channel"], json.loads(e["data"])) for e in sockets.events(mine[0][0], "conversation.left")]
    assert sorted(left) == sorted([(channel, {"id": "grp_x"}), (private, {"id": "grp_x"})])
    assert [e["channel"] for e in sockets.events(mine[1][0], "conversation.left")] == [channel]
    assert not sockets.events(theirs, "conversation.left")
    removed = sockets.events(theirs, "pusher_internal:member_removed")  # once: alice's last connection left
    assert [json.loads(e["data"]) for e in removed] == [{"user_id": alice}]
    assert store.subscription_count(channel) == 1

    broadcasting.broadcast([channel, private], "message.created", {"n": 1})
    realtime.deliver()
    assert all(not sockets.events(connection_id, "message.created") for connection_id, _ in mine)
    assert len(sockets.events(theirs, "message.created")) == 1
