"""Outgoing webhooks against the emulator: the endpoints API, the dispatcher and the delivery worker
in-process, receivers as real HTTP servers on loopback (which this deployment allows), the clock
and the name resolver driven by the tests."""

from __future__ import annotations

import json
import socket
import time
import uuid
from dataclasses import replace
from datetime import datetime

import pytest
import standardwebhooks
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from botocore.stub import Stubber
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from eckospace import aws, timestamps
from eckospace.config import forget_settings
from eckospace.events import DomainEvent
from eckospace.identity import integrations
from eckospace.webhooks import clock, queue, store, transport
from tests.integration.conftest import load_function
from tests.support import openapi_contract
from tests.support.lambda_proxy import Context, invoke
from tests.support.webhook_receiver import Answer, Receiver

FUNCTIONS = {
    "create": ("WebhooksEndpointCreateFunction", "webhooks_endpoint_create"),
    "list": ("WebhooksEndpointListFunction", "webhooks_endpoint_list"),
    "get": ("WebhooksEndpointGetFunction", "webhooks_endpoint_get"),
    "update": ("WebhooksEndpointUpdateFunction", "webhooks_endpoint_update"),
    "delete": ("WebhooksEndpointDeleteFunction", "webhooks_endpoint_delete"),
    "rotate": ("WebhooksSecretRotateFunction", "webhooks_secret_rotate"),
    "test": ("WebhooksEndpointTestFunction", "webhooks_endpoint_test"),
    "deliveries": ("WebhooksDeliveryListFunction", "webhooks_delivery_list"),
    "redeliver": ("WebhooksDeliveryRedeliverFunction", "webhooks_delivery_redeliver"),
    "redeliver_failed": ("WebhooksDeliveryRedeliverFailedFunction", "webhooks_delivery_redeliver_failed"),
    "event_types": ("WebhooksEventTypesListFunction", "webhooks_event_types_list"),
    "dispatcher": ("WebhooksDispatcherFunction", "webhooks_dispatcher"),
    "worker": ("WebhooksDeliveryWorkerFunction", "webhooks_delivery_worker"),
}
ALL_SCOPES = "webhooks:read webhooks:write wallet:read payments:read moderation:read"
EP = "/api/webhooks/endpoints"
SCHEDULE_OFFSETS = [
    0,
    5,
    305,
    2105,
    9305,
    27305,
    63305,
    99305,
]  # cumulative: 0, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h


class FakeClock:
    def __init__(self, start: float) -> None:
        self.t = float(start)

    def __call__(self) -> float:
        return self.t


def sqs_event(*bodies: str, ids: list[str] | None = None) -> dict:
    return {
        "Records": [
            {
                "messageId": (ids or [])[i] if ids else f"m{i}",
                "receiptHandle": "r",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "awsRegion": "us-east-1",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
            }
            for i, body in enumerate(bodies)
        ]
    }


class Harness:
    def __init__(self, handlers: dict, fake: FakeClock, deliveries_url: str, events_url: str) -> None:
        self.handlers, self.clock = handlers, fake
        self.deliveries_url, self.events_url = deliveries_url, events_url
        self.delays: list[int] = []
        self.created: list[tuple[str, str]] = []
        self.answers: list[tuple[str, str, dict]] = []  # (method, path, the handler's answer), every call

    def call(
        self,
        name: str,
        method: str,
        path: str,
        *,
        client: str,
        body=None,
        query=None,
        scopes: str = ALL_SCOPES,
        token_use: str = "client",
    ):
        authorizer = {
            "sub": client,
            "scope": scopes,
            "token_use": token_use,
            **({"client_id": client} if token_use == "client" else {}),
        }
        answer = invoke(self.handlers[name], method, path, body=body, authorizer=authorizer, query=query)
        self.answers.append((method, path, answer.result))
        return answer.status, answer.body

    def endpoint(self, client: str, url: str, types=("wallet.credited",), **extra) -> dict:
        status, body = self.call(
            "create", "POST", EP, client=client, body={"url": url, "event_types": list(types), **extra}
        )
        assert status == 201, body
        self.created.append((client, body["id"]))
        return body

    def remove_endpoints(self) -> None:
        """Subscriptions are global: each test leaves none behind for the next to deliver to."""
        for owner, endpoint_id in self.created:
            found = store.get_endpoint(owner, endpoint_id)
            if found is not None:
                store.save_endpoint(found, None, delete_secret=True)

    def dispatch(self, *envelopes: dict) -> dict:
        event = sqs_event(*(json.dumps(e) for e in envelopes))
        try:
            return self.handlers["dispatcher"](event, Context())
        except BatchProcessingError:  # the whole batch failed: Lambda hands it back to SQS
            return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]]}

    def drain(self, *, rounds: int = 200, follow_clock: bool = True) -> int:
        """Run the worker over the deliveries queue until it is empty, moving the clock to each
        attempt's due time (no hour-long sleeps). Returns the messages handled."""
        sqs = aws.client("sqs")
        for handled in range(rounds):
            messages = sqs.receive_message(QueueUrl=self.deliveries_url, MaxNumberOfMessages=1, WaitTimeSeconds=0).get(
                "Messages", []
            )
            if not messages:
                messages = sqs.receive_message(
                    QueueUrl=self.deliveries_url, MaxNumberOfMessages=1, WaitTimeSeconds=1
                ).get("Messages", [])
                if not messages:
                    return handled
            message = messages[0]
            body = json.loads(message["Body"])
            if follow_clock:
                found = store.get_delivery(body["endpoint_id"], body["delivery_id"])
                if found is not None and found.due > self.clock.t:
                    self.clock.t = found.due
            try:
                result = self.handlers["worker"](sqs_event(message["Body"], ids=[message["MessageId"]]), Context())
            except BatchProcessingError:  # the whole batch failed: Lambda hands it back to SQS
                result = {"batchItemFailures": [{"itemIdentifier": message["MessageId"]}]}
            if result["batchItemFailures"]:
                sqs.change_message_visibility(
                    QueueUrl=self.deliveries_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
                return handled + 1
            sqs.delete_message(QueueUrl=self.deliveries_url, ReceiptHandle=message["ReceiptHandle"])
        raise AssertionError("the deliveries queue never emptied")

    def attempt_next(self) -> None:
        """Run the worker on the next queued message alone (at its due time)."""
        sqs = aws.client("sqs")
        [message] = sqs.receive_message(QueueUrl=self.deliveries_url, MaxNumberOfMessages=1, WaitTimeSeconds=1)[
            "Messages"
        ]
        body = json.loads(message["Body"])
        found = store.get_delivery(body["endpoint_id"], body["delivery_id"])
        if found is not None and found.due > self.clock.t:
            self.clock.t = found.due
        result = self.handlers["worker"](sqs_event(message["Body"], ids=[message["MessageId"]]), Context())
        assert result["batchItemFailures"] == []
        sqs.delete_message(QueueUrl=self.deliveries_url, ReceiptHandle=message["ReceiptHandle"])

    def log(self, client: str, endpoint_id: str, **query) -> dict:
        status, body = self.call(
            "deliveries",
            "GET",
            f"{EP}/{endpoint_id}/deliveries",
            client=client,
            query={k: str(v) for k, v in query.items()} or None,
        )
        assert status == 200, body
        return body

    def domain_events(self) -> list[dict]:
        sqs = aws.client("sqs")
        found = []
        while True:
            messages = sqs.receive_message(QueueUrl=self.events_url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get(
                "Messages", []
            )
            if not messages:
                return found
            for m in messages:
                found.append(json.loads(m["Body"]))
                sqs.delete_message(QueueUrl=self.events_url, ReceiptHandle=m["ReceiptHandle"])


@pytest.fixture
def hooks(backend, function_env, monkeypatch):
    for logical_id, _ in FUNCTIONS.values():
        function_env(logical_id)
    monkeypatch.setenv("ECKO_WEBHOOKS_ALLOW_LOOPBACK", "true")  # receivers listen on loopback here
    handlers = {name: load_function(directory).lambda_handler for name, (_, directory) in FUNCTIONS.items()}
    fake = FakeClock(time.time())
    clock.use(clock=fake)
    template = backend["template"]
    deliveries_url, events_url = template.ref("WebhookDeliveriesQueue"), template.ref("WebhookEventsQueue")
    harness = Harness(handlers, fake, deliveries_url, events_url)
    sent = queue.send

    def undelayed(message, delay=0):  # SQS delays in real time: the test's clock stands in for them
        harness.delays.append(delay)
        sent(message, 0)

    monkeypatch.setattr(queue, "send", undelayed)
    sqs = aws.client("sqs")
    while leftovers := sqs.receive_message(QueueUrl=deliveries_url, MaxNumberOfMessages=10).get("Messages"):
        for message in leftovers:  # another test's (PurgeQueue is allowed once a minute)
            sqs.delete_message(QueueUrl=deliveries_url, ReceiptHandle=message["ReceiptHandle"])
    harness.domain_events()
    yield harness
    clock.reset()
    harness.remove_endpoints()


def seconds(shown: str) -> int:
    """A time as the API shows it (RFC 3339, UTC), in seconds since the epoch."""
    return int(datetime.fromisoformat(shown).timestamp())


def client_id(scopes: str = ALL_SCOPES, *, first_party: bool = True) -> str:
    """A registered integration (the dispatcher delivers only to enabled ones); first-party unless
    said otherwise, since most tests subscribe to wallet events."""
    found = f"ekc_{uuid.uuid4().hex[:16]}"
    integrations.register(
        name="webhook tests",
        allowed_scopes=set(scopes.split()),
        default_scopes=set(),
        tier="standard",
        api_key_id=None,
        client_id=found,
        first_party=first_party,
    )
    return found


def wallet_event(**extra) -> dict:
    return {
        **DomainEvent(
            type="wallet.credited", subject="user-1", data={"amount": 500, "currency": "eur", "effect_id": "topup:x"}
        ).envelope(),
        **extra,
    }


# ------------------------------------------------------------------------------ signing
def test_a_test_event_reaches_the_receiver_signed_and_verifies_with_standardwebhooks(hooks):
    owner = client_id()
    with Receiver() as receiver:
        endpoint = hooks.endpoint(owner, receiver.url)
        assert endpoint["secret"].startswith("whsec_") and endpoint["enabled"] is True
        status, queued = hooks.call("test", "POST", f"{EP}/{endpoint['id']}/test", client=owner)
        assert status == 202
        hooks.drain()
        [got] = receiver.received
    payload = Webhook(endpoint["secret"]).verify(got.body, got.headers)
    assert payload["type"] == "webhook.test" and payload["data"]["endpoint_id"] == endpoint["id"]
    assert set(payload) == {"type", "id", "timestamp", "data"} and payload["id"] == queued["event_id"]
    assert got.headers["webhook-id"] == queued["delivery_id"]
    assert len(got.headers["webhook-signature"].split(" ")) == 1
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint["secret"]).verify(got.body.replace(b"test event", b"TEST event"), got.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint["secret"]).verify(got.body, {**got.headers, "webhook-id": "dlv_other"})
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 43 + "=").verify(got.body, got.headers)
    # The secret is shown once: never in reads, lists or the delivery log.
    for name, path in (
        ("get", f"{EP}/{endpoint['id']}"),
        ("list", EP),
        ("deliveries", f"{EP}/{endpoint['id']}/deliveries"),
    ):
        status, body = hooks.call(name, "GET", path, client=owner)
        assert status == 200 and endpoint["secret"] not in json.dumps(body) and "secret" not in body


def test_a_stale_delivery_fails_verification_at_the_receiver(hooks):
    owner = client_id()
    with Receiver() as receiver:
        endpoint = hooks.endpoint(owner, receiver.url)
        hooks.clock.t = time.time() - 600  # the attempt is signed ten minutes ago
        hooks.call("test", "POST", f"{EP}/{endpoint['id']}/test", client=owner)
        hooks.drain()
        [got] = receiver.received
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(endpoint["secret"]).verify(got.body, got.headers)


def frozen_receiver_clock(monkeypatch, fake: FakeClock) -> None:
    """standardwebhooks checks timestamps against its own now(): drive it with the test's clock."""

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.fromtimestamp(fake.t, tz)

    monkeypatch.setattr(standardwebhooks.webhooks, "datetime", Frozen)


def test_rotation_signs_with_both_secrets_during_the_overlap_then_only_the_new(hooks, monkeypatch):
    frozen_receiver_clock(monkeypatch, hooks.clock)
    owner = client_id()
    with Receiver() as receiver:
        endpoint = hooks.endpoint(owner, receiver.url)
        status, rotated = hooks.call("rotate", "POST", f"{EP}/{endpoint['id']}/rotate-secret", client=owner, body={})
        assert status == 200 and rotated["secret"] != endpoint["secret"]
        assert rotated["previous_secret_expires_at"] == timestamps.from_seconds(int(hooks.clock.t) + 86400)
        hooks.call("test", "POST", f"{EP}/{endpoint['id']}/test", client=owner)
        hooks.drain()
        hooks.clock.t += 86400 + 1  # the overlap is over
        hooks.call("test", "POST", f"{EP}/{endpoint['id']}/test", client=owner)
        hooks.drain()
        during, after = receiver.received
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    hooks.clock.t -= 86401
    Webhook(endpoint["secret"]).verify(during.body, during.headers)
    Webhook(rotated["secret"]).verify(during.body, during.headers)
    hooks.clock.t += 86401
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    Webhook(rotated["secret"]).verify(after.body, after.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint["secret"]).verify(after.body, after.headers)


# ------------------------------------------------------------------------------ fan-out
def test_a_domain_event_reaches_each_subscribed_endpoint_once_even_when_duplicated(hooks):
    owner, other = client_id(), client_id()
    with Receiver() as one, Receiver() as two, Receiver() as unsubscribed:
        hooks.endpoint(owner, one.url)
        hooks.endpoint(other, two.url, types=("wallet.credited", "payment.failed"))
        hooks.endpoint(owner, unsubscribed.url, types=("payment.failed",))
        event = wallet_event()
        assert hooks.dispatch(event) == {"batchItemFailures": []}
        assert hooks.dispatch(event, event) == {"batchItemFailures": []}  # duplicates: no second delivery
        assert hooks.drain() == 2
        assert len(one.received) == 1 and len(two.received) == 1 and not unsubscribed.received
    first, second = json.loads(one.received[0].body), json.loads(two.received[0].body)
    assert first["id"] == second["id"] == event["id"] and first["type"] == "wallet.credited"
    assert first["data"] == event["data"]
    assert one.received[0].headers["webhook-id"] != two.received[0].headers["webhook-id"]


def test_an_sqs_duplicate_of_an_attempt_sends_once(hooks):
    owner = client_id()
    with Receiver() as receiver:
        endpoint = hooks.endpoint(owner, receiver.url)
        hooks.call("test", "POST", f"{EP}/{endpoint['id']}/test", client=owner)
        message = aws.client("sqs").receive_message(QueueUrl=hooks.deliveries_url, WaitTimeSeconds=1)["Messages"][0]
        queue.send(json.loads(message["Body"]))  # the same attempt twice
        aws.client("sqs").change_message_visibility(
            QueueUrl=hooks.deliveries_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
        )
        assert hooks.drain() == 2
        assert len(receiver.received) == 1


def test_an_event_published_while_the_worker_fails_is_delivered_when_it_recovers(hooks):
    owner = client_id()
    with Receiver() as receiver:
        hooks.endpoint(owner, receiver.url)
        hooks.dispatch(wallet_event())
        with Stubber(aws.client("dynamodb")) as broken:  # the worker's backend is down
            broken.add_client_error("batch_get_item", service_error_code="ServiceUnavailable", http_status_code=503)
            assert hooks.drain(follow_clock=False) == 1
        assert not receiver.received
        assert hooks.drain() == 1  # the message came back; the worker recovered
        assert len(receiver.received) == 1


# ------------------------------------------------------------------------------ retries
def attempts_of(hooks, owner, endpoint_id) -> tuple[dict, list[dict]]:
    [delivery] = hooks.log(owner, endpoint_id)["data"]
    return delivery, delivery["attempts"]


def test_500_then_200_retries_after_five_seconds_and_succeeds(hooks):
    owner = client_id()
    with Receiver(Answer(500, body=b"boom"), Answer(200)) as receiver:
        endpoint = hooks.endpoint(owner, receiver.url)
        start = int(hooks.clock.t)
        hooks.call("test", "POST", f"{EP}/{endpoint['id']}/test", client=owner)
        hooks.drain()
        assert len(receiver.received) == 2
    delivery, attempts = attempts_of(hooks, owner, endpoint["id"])
    assert delivery["status"] == "succeeded"
    assert [a["status_code"] for a in attempts] == [500, 200]
    assert [seconds(a["attempted_at"]) - start for a in attempts] == [0, 5]
    assert attempts[0]["response"] == "boom" and all(a["latency_ms"] >= 0 for a in attempts)
    assert hooks.delays[-1] == 5
    status, state = hooks.call("get", "GET", f"{EP}/{endpoint['id']}", client=owner)
    assert state["enabled"] is True and state["failing_since_at"] is None


def test_429_honours_retry_after(hooks):
    owner = client_id()
    with Receiver(Answer(429, headers={"Retry-After": "120"}), Answer(200)) as receiver:
        endpoint = hooks.endpoint(owner, receiver.url)
        start = int(hooks.clock.t)
        hooks.call("test", "POST", f"{EP}/{endpoint['id']}/test", client=owner)
        hooks.drain()
        assert len(receiver.received) == 2
    delivery, attempts = attempts_of(hooks, owner, endpoint["id"])
    assert delivery["status"] == "succeeded" and [seconds(a["attempted_at"]) - start for a in attempts] == [0, 120]


def test_a_receiver_that_times_out_is_retried(hooks, monkeypatch):
    monkeypatch.setattr(transport, "TIMEOUT_SECONDS", 0.5)
    owner = client_id()
    with Receiver(Answer(200, delay=2.0), Answer(200)) as receiver:
        endpoint = hooks.endpoint(owner, receiver.url)
        start = int(hooks.clock.t)
        hooks.call("test", "POST", f"{EP}/{endpoint['id']}/test", client=owner)
        hooks.drain()
    delivery, attempts = attempts_of(hooks, owner, endpoint["id"])
    assert attempts[0]["status_code"] is None and attempts[0]["error"] == "timeout"
    assert attempts[0]["latency_ms"] < 2000
    assert delivery["status"] == "succeeded" and [seconds(a["attempted_at"]) - start for a in attempts] == [0, 5]


def test_a_receiver_failing_every_attempt_follows_the_whole_schedule_then_fails(hooks):
    owner = client_id()
    with Receiver(Answer(503)) as receiver:
        endpoint = hooks.endpoint(owner, receiver.url)
        start = int(hooks.clock.t)
        hooks.call("test", "POST", f"{EP}/{endpoint['id']}/test", client=owner)
        hooks.drain()
        assert len(receiver.received) == 8
    delivery, attempts = attempts_of(hooks, owner, endpoint["id"])
    assert [seconds(a["attempted_at"]) - start for a in attempts] == SCHEDULE_OFFSETS
    assert delivery["status"] == "failed" and delivery["next_attempt_at"] is None
    # Waits beyond SQS's 15 minutes are re-delayed until due, 900 s at a time.
    assert max(hooks.delays) == 900
    status, state = hooks.call("get", "GET", f"{EP}/{endpoint['id']}", client=owner)
    # failing, not yet for days
    assert state["enabled"] is True and state["failing_since_at"] == timestamps.from_seconds(start)
    assert hooks.log(owner, endpoint["id"], status="failed")["data"][0]["id"] == delivery["id"]


def test_410_disables_the_endpoint_and_tells_its_owner(hooks):
    owner, stranger = client_id(), client_id()
    with Receiver(Answer(410)) as gone, Receiver() as owners_other, Receiver() as strangers:
        endpoint = hooks.endpoint(owner, gone.url)
        hooks.endpoint(owner, owners_other.url, types=("webhook.endpoint.disabled",))
        hooks.endpoint(stranger, strangers.url, types=("webhook.endpoint.disabled",))
        hooks.dispatch(wallet_event())
        hooks.drain()
        assert len(gone.received) == 1
        delivery, attempts = attempts_of(hooks, owner, endpoint["id"])
        assert delivery["status"] == "failed" and [a["status_code"] for a in attempts] == [410]
        status, state = hooks.call("get", "GET", f"{EP}/{endpoint['id']}", client=owner)
        assert state["enabled"] is False and state["disabled_reason"] == "gone"
        [announced] = [e for e in hooks.domain_events() if e["type"] == "webhook.endpoint.disabled"]
        assert announced["subject"] == owner and announced["data"]["endpoint_id"] == endpoint["id"]
        hooks.dispatch(announced, wallet_event())  # the owner hears of it; nobody else; gone gets nothing more
        hooks.drain()
        assert len(owners_other.received) == 1 and not strangers.received and len(gone.received) == 1
        assert json.loads(owners_other.received[0].body)["type"] == "webhook.endpoint.disabled"


def test_an_endpoint_failing_for_days_is_disabled(hooks):
    owner = client_id()
    with Receiver(Answer(500)) as receiver:
        endpoint = hooks.endpoint(owner, receiver.url)
        start = int(hooks.clock.t)
        hooks.dispatch(wallet_event())
        hooks.drain()  # eight attempts over 27.6 hours
        status, state = hooks.call("get", "GET", f"{EP}/{endpoint['id']}", client=owner)
        assert state["enabled"] is True
        hooks.clock.t = start + 4 * 86400
        hooks.dispatch(wallet_event(created=int(hooks.clock.t)))
        hooks.drain()  # fails for good 5.15 days after the first failure
        assert len(receiver.received) == 16
    status, state = hooks.call("get", "GET", f"{EP}/{endpoint['id']}", client=owner)
    assert state["enabled"] is False and state["disabled_reason"] == "failing"
    assert any(e["type"] == "webhook.endpoint.disabled" for e in hooks.domain_events())
    # Enabling it again starts afresh.
    status, state = hooks.call("update", "PATCH", f"{EP}/{endpoint['id']}", client=owner, body={"enabled": True})
    assert status == 200 and state["enabled"] is True and state["failing_since_at"] is None


def test_redelivery_of_one_and_of_every_failed_since(hooks):
    owner = client_id()
    with Receiver(*[Answer(500)] * 16, Answer(200)) as receiver:
        endpoint = hooks.endpoint(owner, receiver.url)
        first_time = int(hooks.clock.t)
        hooks.dispatch(wallet_event(created=first_time))
        hooks.drain()
        hooks.dispatch(wallet_event(created=int(hooks.clock.t)))
        hooks.drain()
        failed = hooks.log(owner, endpoint["id"], status="failed")["data"]
        assert len(failed) == 2
        newest, oldest = failed
        status, answer = hooks.call(
            "redeliver", "POST", f"{EP}/{endpoint['id']}/deliveries/{oldest['id']}/redeliver", client=owner
        )
        assert status == 202
        hooks.drain()
        assert len(receiver.received) == 17
        status, answer = hooks.call(
            "redeliver_failed",
            "POST",
            f"{EP}/{endpoint['id']}/redeliver-failed",
            client=owner,
            body={"since": first_time},
        )
        assert status == 202 and answer["redelivered"] == 1  # the oldest succeeded meanwhile
        hooks.drain()
        assert len(receiver.received) == 18
    statuses = {d["id"]: d["status"] for d in hooks.log(owner, endpoint["id"])["data"]}
    assert statuses == {newest["id"]: "succeeded", oldest["id"]: "succeeded"}


def test_the_delivery_log_pages_with_cursors(hooks):
    owner = client_id()
    with Receiver() as receiver:
        endpoint = hooks.endpoint(owner, receiver.url)
        for _ in range(3):
            hooks.clock.t += 1
            hooks.call("test", "POST", f"{EP}/{endpoint['id']}/test", client=owner)
        hooks.drain()
    first = hooks.log(owner, endpoint["id"], limit=2)
    assert len(first["data"]) == 2 and first["next_cursor"]
    second = hooks.log(owner, endpoint["id"], limit=2, cursor=first["next_cursor"])
    assert len(second["data"]) == 1 and second["next_cursor"] is None
    created = [seconds(d["created_at"]) for d in first["data"] + second["data"]]
    assert created == sorted(created, reverse=True)
    status, _ = hooks.call(
        "deliveries", "GET", f"{EP}/{endpoint['id']}/deliveries", client=owner, query={"cursor": "bogus"}
    )
    assert status == 400


# ------------------------------------------------------------------------------ SSRF
@pytest.fixture
def no_connections(monkeypatch):
    opened = []
    real = transport._open_pool

    def watched(scheme, address, port, host, timeout):
        opened.append(address)
        return real(scheme, address, port, host, timeout)

    monkeypatch.setattr(transport, "_open_pool", watched)
    return opened


def fake_resolver(mapping: dict[str, str]):
    def resolve(host, port, *args, **kwargs):
        if host in mapping:
            family = socket.AF_INET6 if ":" in mapping[host] else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (mapping[host], port))]
        return socket.getaddrinfo(host, port, *args, **kwargs)

    return resolve


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/in",
        "https://10.0.0.1/in",
        "https://169.254.169.254/latest/meta-data",
        "https://[::ffff:127.0.0.1]/in",
        "https://[::ffff:169.254.169.254]/in",
        "https://intranet.example.com/in",  # resolves to a private address
        "https://hooks.example.com:22/in",
        "https://[fd00::1]/in",
        "https://0.0.0.0/in",
    ],
)
def test_ssrf_targets_are_refused_at_creation_with_a_422(hooks, no_connections, url):
    clock.use(resolve=fake_resolver({"intranet.example.com": "10.20.30.40", "hooks.example.com": "93.184.216.34"}))
    status, problem = hooks.call(
        "create", "POST", EP, client=client_id(), body={"url": url, "event_types": ["wallet.credited"]}
    )
    assert status == 422, problem
    assert problem["errors"][0]["name"] == "url" and "cannot receive webhooks" in problem["detail"]
    assert no_connections == []


def test_a_host_rebound_to_a_private_address_is_refused_at_delivery(hooks, no_connections):
    owner = client_id()
    clock.use(resolve=fake_resolver({"hooks.example.com": "93.184.216.34"}))
    endpoint = hooks.endpoint(owner, "https://hooks.example.com/in")
    clock.use(resolve=fake_resolver({"hooks.example.com": "169.254.169.254"}))
    hooks.call("test", "POST", f"{EP}/{endpoint['id']}/test", client=owner)
    hooks.drain()
    delivery, attempts = attempts_of(hooks, owner, endpoint["id"])
    assert no_connections == []
    assert delivery["status"] == "failed" and delivery["reason"] == "target refused"
    assert "169.254.169.254" in attempts[0]["error"]


def test_a_redirect_to_a_private_address_is_not_followed(hooks, no_connections):
    owner = client_id()
    with Receiver(Answer(302, headers={"Location": "http://10.0.0.1/steal"}), Answer(200)) as receiver:
        endpoint = hooks.endpoint(owner, receiver.url)
        hooks.call("test", "POST", f"{EP}/{endpoint['id']}/test", client=owner)
        hooks.drain()
        assert [r.path for r in receiver.received] == ["/hooks", "/hooks"]
    delivery, attempts = attempts_of(hooks, owner, endpoint["id"])
    assert [a["status_code"] for a in attempts] == [302, 200]  # a redirect is a failed attempt
    assert set(no_connections) == {"127.0.0.1"}


# ------------------------------------------------------------------------------ ownership and scopes
def test_no_integration_sees_or_touches_anothers_endpoints_or_deliveries(hooks):
    owner, thief = client_id(), client_id()
    with Receiver() as receiver:
        endpoint = hooks.endpoint(owner, receiver.url)
        hooks.call("test", "POST", f"{EP}/{endpoint['id']}/test", client=owner)
        hooks.drain()
    [delivery] = hooks.log(owner, endpoint["id"])["data"]
    eid, did = endpoint["id"], delivery["id"]
    status, listed = hooks.call("list", "GET", EP, client=thief)
    assert status == 200 and listed["data"] == []
    attempts = [
        ("get", "GET", f"{EP}/{eid}", None),
        ("update", "PATCH", f"{EP}/{eid}", {"description": "mine"}),
        ("rotate", "POST", f"{EP}/{eid}/rotate-secret", {}),
        ("test", "POST", f"{EP}/{eid}/test", None),
        ("deliveries", "GET", f"{EP}/{eid}/deliveries", None),
        ("redeliver", "POST", f"{EP}/{eid}/deliveries/{did}/redeliver", None),
        ("redeliver_failed", "POST", f"{EP}/{eid}/redeliver-failed", {"since": 0}),
        ("delete", "DELETE", f"{EP}/{eid}", None),
    ]
    for name, method, path, body in attempts:
        status, problem = hooks.call(name, method, path, client=thief, body=body)
        assert status == 404 and problem["type"] == "urn:eckospace:problem:not-found", (name, problem)
    status, mine = hooks.call("get", "GET", f"{EP}/{eid}", client=owner)
    assert status == 200 and mine["description"] == "" and len(receiver.received) == 1


def test_a_foreign_endpoint_listing_cursor_is_refused(hooks):
    owner, thief = client_id(), client_id()
    for _ in range(2):
        hooks.endpoint(owner, "http://127.0.0.1:9/hooks")
    status, page = hooks.call("list", "GET", EP, client=owner, query={"limit": "1"})
    assert status == 200 and page["next_cursor"]
    status, _ = hooks.call("list", "GET", EP, client=thief, query={"cursor": page["next_cursor"]})
    assert status == 400


def test_subscribing_needs_each_event_types_scope(hooks):
    status, problem = hooks.call(
        "create",
        "POST",
        EP,
        client=client_id(),
        scopes="webhooks:write",
        body={"url": "http://127.0.0.1:9/hooks", "event_types": ["wallet.credited"]},
    )
    assert status == 403 and problem["required_scopes"] == ["wallet:read"] and "wallet.credited" in problem["detail"]
    status, problem = hooks.call(
        "create",
        "POST",
        EP,
        client=client_id(),
        scopes="webhooks:write",
        body={"url": "http://127.0.0.1:9/hooks", "event_types": ["no.such"]},
    )
    assert status == 422
    status, _ = hooks.call(
        "create",
        "POST",
        EP,
        client=client_id(),
        scopes="wallet:read",
        body={"url": "http://127.0.0.1:9/hooks", "event_types": ["wallet.credited"]},
    )
    assert status == 403
    status, _ = hooks.call("list", "GET", EP, client="user-1", token_use="user")
    assert status == 403
    status, catalogue = hooks.call("event_types", "GET", "/api/webhooks/event-types", client=client_id())
    names = {e["type"]: e for e in catalogue["data"]}
    assert status == 200 and names["wallet.credited"]["required_scope"] == "wallet:read"
    assert {
        "payment.succeeded",
        "payment.failed",
        "wallet.credited",
        "wallet.debited",
        "dispute.opened",
        "moderation.decided",
        "post.reported",
        "webhook.test",
    } <= set(names)


def test_updating_and_deleting_an_endpoint_changes_what_it_receives(hooks):
    owner = client_id()
    with Receiver() as receiver:
        endpoint = hooks.endpoint(owner, receiver.url)
        status, updated = hooks.call(
            "update",
            "PATCH",
            f"{EP}/{endpoint['id']}",
            client=owner,
            body={"event_types": ["payment.failed"], "description": "payments only"},
        )
        assert status == 200 and updated["event_types"] == ["payment.failed"]
        hooks.dispatch(wallet_event())
        hooks.dispatch(DomainEvent(type="payment.failed", data={"payment_intent": "pi_1"}).envelope())
        hooks.drain()
        assert [json.loads(r.body)["type"] for r in receiver.received] == ["payment.failed"]
        status, _ = hooks.call("delete", "DELETE", f"{EP}/{endpoint['id']}", client=owner)
        assert status == 204
        hooks.dispatch(DomainEvent(type="payment.failed", data={"payment_intent": "pi_2"}).envelope())
        hooks.drain()
        assert len(receiver.received) == 1
    status, _ = hooks.call("get", "GET", f"{EP}/{endpoint['id']}", client=owner)
    assert status == 404


def test_a_dispatch_that_died_half_way_is_finished_by_the_next_one(hooks, monkeypatch):
    owner = client_id()
    with Receiver() as one, Receiver() as two:
        hooks.endpoint(owner, one.url)
        hooks.endpoint(owner, two.url)
        event = wallet_event()
        send_all = queue.send_all

        def down(messages):
            raise RuntimeError("SQS is down")

        monkeypatch.setattr(queue, "send_all", down)
        assert len(hooks.dispatch(event)["batchItemFailures"]) == 1  # deliveries written, none queued
        monkeypatch.setattr(queue, "send_all", send_all)
        assert hooks.dispatch(event)["batchItemFailures"]  # too soon: another dispatcher may still be at it
        hooks.clock.t += 91
        assert hooks.dispatch(event) == {"batchItemFailures": []}
        hooks.dispatch(event)
        hooks.drain()
        assert len(one.received) == 1 and len(two.received) == 1


def test_a_disabled_narrowed_or_no_longer_first_party_integration_stops_receiving(hooks):
    kept, disabled, narrowed, demoted = client_id(), client_id(), client_id(), client_id()
    with (
        Receiver() as kept_receiver,
        Receiver() as disabled_receiver,
        Receiver() as narrowed_receiver,
        Receiver() as demoted_receiver,
    ):
        hooks.endpoint(kept, kept_receiver.url)
        hooks.endpoint(disabled, disabled_receiver.url)
        hooks.endpoint(narrowed, narrowed_receiver.url)
        hooks.endpoint(demoted, demoted_receiver.url)
        integrations.set_enabled(disabled, False)
        integration = integrations.get(narrowed)
        integrations.save(replace(integration, allowed_scopes=frozenset({"webhooks:read", "webhooks:write"})))
        integrations.set_first_party(demoted, False)
        hooks.dispatch(wallet_event())
        hooks.drain()
        assert len(kept_receiver.received) == 1
        assert not disabled_receiver.received and not narrowed_receiver.received and not demoted_receiver.received


@pytest.mark.parametrize(
    "event_type",
    ["wallet.credited", "wallet.debited", "payment.succeeded", "payment.failed", "dispute.opened", "dispute.closed"],
)
def test_a_third_party_integration_never_subscribes_to_private_wallet_or_payment_events(hooks, event_type):
    third_party = client_id(first_party=False)
    status, problem = hooks.call(
        "create", "POST", EP, client=third_party, body={"url": "http://127.0.0.1:9/in", "event_types": [event_type]}
    )
    assert status == 403 and problem["first_party_only"] == [event_type]
    assert hooks.call("list", "GET", EP, client=third_party)[1]["data"] == []


def test_a_third_party_integration_subscribes_to_what_is_not_private(hooks):
    third_party = client_id(first_party=False)
    with Receiver() as receiver:
        endpoint = hooks.endpoint(third_party, receiver.url, types=("post.reported",))
        status, problem = hooks.call(
            "update",
            "PATCH",
            f"{EP}/{endpoint['id']}",
            client=third_party,
            body={"event_types": ["post.reported", "wallet.credited"]},
        )
        assert status == 403 and problem["first_party_only"] == ["wallet.credited"]
        hooks.dispatch(
            {
                **DomainEvent(
                    type="post.reported", subject="user-1", data={"post_id": "pst_1", "reason": "spam"}
                ).envelope()
            }
        )
        hooks.dispatch(wallet_event())
        hooks.drain()
        [got] = receiver.received
    assert Webhook(endpoint["secret"]).verify(got.body, got.headers)["type"] == "post.reported"


# ------------------------------------------------------------------------------ entitlement at every send
def demote(client: str) -> None:
    integrations.set_first_party(client, False)


def disable(client: str) -> None:
    integrations.set_enabled(client, False)


def narrow(client: str) -> None:
    integration = integrations.get(client)
    integrations.save(replace(integration, allowed_scopes=frozenset({"webhooks:read", "webhooks:write"})))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (disable, "not entitled: the integration is disabled"),
        (narrow, "not entitled: the integration may no longer hold wallet:read"),
        (demote, "not entitled: the event goes to first-party integrations only"),
    ],
)
def test_queued_deliveries_and_retries_stop_once_entitlement_ends(hooks, change, reason):
    owner = client_id()
    with Receiver(Answer(500), Answer(200)) as one, Receiver(Answer(500), Answer(200)) as two:
        first = hooks.endpoint(owner, one.url)
        second = hooks.endpoint(owner, two.url)
        hooks.dispatch(wallet_event())  # fanned out while the integration was entitled
        hooks.attempt_next()  # one delivery is tried once (500: a retry is queued), the other not yet
        assert len(one.received) + len(two.received) == 1
        change(owner)
        hooks.drain()  # the retry and the delivery never attempted
        assert len(one.received) + len(two.received) == 1  # nothing more was sent
    for endpoint in (first, second):
        [delivery] = hooks.log(owner, endpoint["id"])["data"]
        assert delivery["status"] == "failed" and delivery["reason"] == reason, delivery
        assert delivery["next_attempt_at"] is None and len(delivery["attempts"]) <= 1


def test_a_demoted_integration_can_neither_repoint_nor_replay_its_wallet_events(hooks):
    owner = client_id()
    with Receiver(Answer(200), Answer(500)) as receiver, Receiver() as elsewhere:
        endpoint = hooks.endpoint(owner, receiver.url)
        hooks.dispatch(wallet_event())
        hooks.drain()  # delivered
        hooks.dispatch(wallet_event())
        hooks.drain()  # every attempt failed
        delivered, failed = sorted(hooks.log(owner, endpoint["id"])["data"], key=lambda d: d["status"], reverse=True)
        assert (delivered["status"], failed["status"]) == ("succeeded", "failed")
        status, _ = hooks.call(
            "redeliver", "POST", f"{EP}/{endpoint['id']}/deliveries/{delivered['id']}/redeliver", client=owner
        )
        assert status == 202  # queued while the integration was first-party ...
        demote(owner)
        sent = len(receiver.received)
        hooks.drain()  # ... and refused at its attempt
        assert len(receiver.received) == sent
        replayed = {d["id"]: d for d in hooks.log(owner, endpoint["id"])["data"]}[delivered["id"]]
        assert replayed["status"] == "failed" and replayed["reason"].startswith("not entitled"), replayed

        status, problem = hooks.call(
            "update", "PATCH", f"{EP}/{endpoint['id']}", client=owner, body={"url": elsewhere.url}
        )
        assert status == 403 and problem["first_party_only"] == ["wallet.credited"], problem
        status, problem = hooks.call("update", "PATCH", f"{EP}/{endpoint['id']}", client=owner, body={"enabled": False})
        assert status == 200  # what sends nothing stays allowed
        status, problem = hooks.call("update", "PATCH", f"{EP}/{endpoint['id']}", client=owner, body={"enabled": True})
        assert status == 403 and problem["first_party_only"] == ["wallet.credited"], problem
        status, problem = hooks.call(
            "update",
            "PATCH",
            f"{EP}/{endpoint['id']}",
            client=owner,
            body={"url": elsewhere.url, "event_types": ["post.reported"], "enabled": True},
        )
        assert status == 200 and problem["url"] == elsewhere.url  # dropping them in the same request is fine

        status, problem = hooks.call(
            "redeliver", "POST", f"{EP}/{endpoint['id']}/deliveries/{delivered['id']}/redeliver", client=owner
        )
        assert status == 403 and problem["not_entitled"] == ["wallet.credited"], problem
        assert "wallet.credited" in problem["detail"]
        status, answer = hooks.call(
            "redeliver_failed", "POST", f"{EP}/{endpoint['id']}/redeliver-failed", client=owner, body={"since": 0}
        )
        assert status == 202 and answer["redelivered"] == 0, answer
        assert answer["not_entitled"] == {"deliveries": 2, "event_types": ["wallet.credited"]}
        hooks.drain()
        assert not elsewhere.received and len(receiver.received) == sent
    assert {d["status"] for d in hooks.log(owner, endpoint["id"])["data"]} == {"failed"}


def test_a_token_without_an_events_scope_cannot_repoint_its_endpoint(hooks):
    owner = client_id()
    endpoint = hooks.endpoint(owner, "http://127.0.0.1:9/hooks")
    status, problem = hooks.call(
        "update",
        "PATCH",
        f"{EP}/{endpoint['id']}",
        client=owner,
        scopes="webhooks:write",
        body={"url": "http://127.0.0.1:10/hooks"},
    )
    assert status == 403 and problem["required_scopes"] == ["wallet:read"], problem
    status, _ = hooks.call(
        "update",
        "PATCH",
        f"{EP}/{endpoint['id']}",
        client=owner,
        scopes="webhooks:write",
        body={"description": "only words"},
    )
    assert status == 200
    assert hooks.call("get", "GET", f"{EP}/{endpoint['id']}", client=owner)[1]["url"] == "http://127.0.0.1:9/hooks"


def test_an_attempt_reads_its_integration_in_the_same_single_read(hooks):
    """Backend calls per successful attempt: one BatchGetItem (the delivery, its endpoint, its
    secrets and its owner's status, scopes and first-party flag), the claim and the record."""
    owner = client_id()
    calls: list[tuple[str, dict]] = []

    def seen(model, params, **_):
        calls.append((model.name, params))

    dynamodb, sqs = aws.client("dynamodb"), aws.client("sqs")
    with Receiver() as receiver:
        endpoint = hooks.endpoint(owner, receiver.url)
        hooks.call("test", "POST", f"{EP}/{endpoint['id']}/test", client=owner)
        message = sqs.receive_message(QueueUrl=hooks.deliveries_url, WaitTimeSeconds=1)["Messages"][0]
        for client in (dynamodb, sqs):
            client.meta.events.register("before-parameter-build.*.*", seen)
        try:
            hooks.handlers["worker"](sqs_event(message["Body"]), Context())
        finally:
            for client in (dynamodb, sqs):
                client.meta.events.unregister("before-parameter-build.*.*", seen)
        sqs.delete_message(QueueUrl=hooks.deliveries_url, ReceiptHandle=message["ReceiptHandle"])
        assert len(receiver.received) == 1
    assert [name for name, _ in calls] == ["BatchGetItem", "UpdateItem", "UpdateItem"], calls
    requested = calls[0][1]["RequestItems"]
    integrations_table = store.integrations_table()
    assert integrations_table in requested, requested
    assert requested[integrations_table]["Keys"] == [{"client_id": {"S": owner}}]
    assert requested[integrations_table]["ProjectionExpression"] == "client_id, #s, allowed_scopes, first_party"


def test_the_stacks_own_loopback_ports_are_refused_at_registration_and_at_delivery(hooks, monkeypatch):
    owner = client_id()
    monkeypatch.setenv("ECKO_WEBHOOKS_REFUSED_LOOPBACK_PORTS", "4566,3000")
    for url in ("http://127.0.0.1:4566/moto-api/reset", "http://localhost:3000/api/oauth/token", "http://[::1]:4566/"):
        status, problem = hooks.call(
            "create", "POST", EP, client=owner, body={"url": url, "event_types": ["wallet.credited"]}
        )
        assert status == 422 and problem["errors"][0]["name"] == "url", (url, problem)
        assert "stack's own services" in problem["detail"]
    with Receiver() as receiver:
        endpoint = hooks.endpoint(owner, receiver.url)  # another loopback port: allowed
        port = receiver.url.split(":")[2].split("/")[0]
        status, problem = hooks.call(
            "update", "PATCH", f"{EP}/{endpoint['id']}", client=owner, body={"url": "http://127.0.0.1:4566/"}
        )
        assert status == 422, problem
        monkeypatch.setenv("ECKO_WEBHOOKS_REFUSED_LOOPBACK_PORTS", f"4566,{port}")  # the port became the stack's
        forget_settings()
        hooks.call("test", "POST", f"{EP}/{endpoint['id']}/test", client=owner)
        hooks.drain()
        assert not receiver.received
    delivery, attempts = attempts_of(hooks, owner, endpoint["id"])
    assert delivery["status"] == "failed" and delivery["reason"] == "target refused"
    assert "stack's own services" in attempts[0]["error"]


# ------------------------------------------------------------------------------ the published contract
def test_every_answer_and_every_webhook_body_matches_the_committed_document(hooks):
    """Each route's real answers (successes and the errors particular to it) and the bodies endpoints
    receive validate against infra/openapi.json: status documented, content type, schema, times in
    RFC 3339 UTC with milliseconds."""
    owner = client_id()
    with Receiver(Answer(500), Answer(200)) as receiver, Receiver(Answer(410)) as gone, Receiver() as owners_other:
        hooks.call("event_types", "GET", "/api/webhooks/event-types", client=owner)
        endpoint = hooks.endpoint(owner, receiver.url, types=("wallet.credited", "post.reported"))
        eid = endpoint["id"]
        hooks.endpoint(owner, owners_other.url, types=("webhook.endpoint.disabled",))
        hooks.call("list", "GET", EP, client=owner, query={"limit": "1"})
        hooks.call("get", "GET", f"{EP}/{eid}", client=owner)
        hooks.call("get", "GET", f"{EP}/ep_{'0' * 24}", client=owner)  # 404
        hooks.call("update", "PATCH", f"{EP}/{eid}", client=owner, body={"description": "contract"})
        hooks.call("update", "PATCH", f"{EP}/{eid}", client=owner, body={"url": "https://10.0.0.1/in"})  # 422
        hooks.call("create", "POST", EP, client=owner, body={"url": receiver.url, "event_types": ["no.such"]})  # 422
        hooks.call(
            "create",
            "POST",
            EP,
            client=client_id(first_party=False),
            body={"url": receiver.url, "event_types": ["wallet.credited"]},
        )  # 403: first-party only
        hooks.call("rotate", "POST", f"{EP}/{eid}/rotate-secret", client=owner, body={})
        hooks.call("rotate", "POST", f"{EP}/{eid}/rotate-secret", client=owner, body={"overlap_seconds": 0})
        hooks.call("test", "POST", f"{EP}/{eid}/test", client=owner)
        hooks.dispatch(wallet_event())
        hooks.dispatch(
            DomainEvent(
                type="post.reported", subject="pst_1", data={"report_id": "rpt_1", "post_id": "pst_1", "reason": "spam"}
            ).envelope()
        )
        hooks.attempt_next()  # the first attempt fails: its retry is pending, the endpoint failing
        _, failing = hooks.call("get", "GET", f"{EP}/{eid}", client=owner)
        hooks.call("deliveries", "GET", f"{EP}/{eid}/deliveries", client=owner)
        pending = next(d for d in hooks.log(owner, eid)["data"] if d["status"] == "pending" and d["attempts"])
        hooks.call("redeliver", "POST", f"{EP}/{eid}/deliveries/{pending['id']}/redeliver", client=owner)  # 409
        hooks.drain()
        delivered = hooks.log(owner, eid, limit=1)["data"][0]
        hooks.call("redeliver", "POST", f"{EP}/{eid}/deliveries/{delivered['id']}/redeliver", client=owner)
        hooks.call(
            "redeliver_failed",
            "POST",
            f"{EP}/{eid}/redeliver-failed",
            client=owner,
            body={"since": int(hooks.clock.t) - 60},
        )
        hooks.drain()
        doomed = hooks.endpoint(owner, gone.url)
        hooks.dispatch(wallet_event())
        hooks.drain()  # 410: the endpoint is disabled, and its owner told
        _, disabled = hooks.call("get", "GET", f"{EP}/{doomed['id']}", client=owner)
        hooks.call("test", "POST", f"{EP}/{doomed['id']}/test", client=owner)  # 409: disabled
        [announced] = [e for e in hooks.domain_events() if e["type"] == "webhook.endpoint.disabled"]
        hooks.dispatch(announced)
        hooks.drain()
        hooks.call("delete", "DELETE", f"{EP}/{doomed['id']}", client=owner)
        hooks.call("delete", "DELETE", f"{EP}/{doomed['id']}", client=owner)  # 404
        received = [*receiver.received, *gone.received, *owners_other.received]

    answered = {
        (method, openapi_contract.path_template(path), answer["statusCode"]) for method, path, answer in hooks.answers
    }
    for method, path, answer in hooks.answers:
        openapi_contract.check_lambda_answer(method, path, answer)
    paths = {
        "/api/webhooks/event-types",
        EP,
        f"{EP}/{{endpoint_id}}",
        f"{EP}/{{endpoint_id}}/rotate-secret",
        f"{EP}/{{endpoint_id}}/test",
        f"{EP}/{{endpoint_id}}/deliveries",
        f"{EP}/{{endpoint_id}}/deliveries/{{delivery_id}}/redeliver",
        f"{EP}/{{endpoint_id}}/redeliver-failed",
    }
    assert {path for _, path, _ in answered} == paths  # every webhooks route was checked
    assert {
        ("POST", EP, 422),
        ("POST", EP, 403),
        ("PATCH", f"{EP}/{{endpoint_id}}", 422),
        ("GET", f"{EP}/{{endpoint_id}}", 404),
        ("DELETE", f"{EP}/{{endpoint_id}}", 204),
        ("DELETE", f"{EP}/{{endpoint_id}}", 404),
        ("POST", f"{EP}/{{endpoint_id}}/test", 409),
        ("POST", f"{EP}/{{endpoint_id}}/deliveries/{{delivery_id}}/redeliver", 409),
        ("POST", f"{EP}/{{endpoint_id}}/deliveries/{{delivery_id}}/redeliver", 202),
    } <= answered
    log = hooks.log(owner, eid)["data"]
    assert any(len(d["attempts"]) >= 2 for d in log)  # failed and retried attempts were checked too
    assert openapi_contract.is_api_time(failing["failing_since_at"])
    assert (disabled["enabled"], disabled["disabled_reason"]) == (False, "gone")
    bodies = [openapi_contract.check_webhook(got.body) for got in received]
    assert {body["type"] for body in bodies} == {
        "webhook.test",
        "wallet.credited",
        "post.reported",
        "webhook.endpoint.disabled",
    }
