"""POST /payment/stripe/webhook over HTTP through the local stack, signed with Stripe's own library:
every bad signature is a 400 that records nothing; a good one is recorded once and queued once."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests
import stripe

from tests.support import stripe_events
from tests.support.local_stack import RunningStack

PATH = "/payment/stripe/webhook"
EVENTS_TABLE = "eckospace-local-StripeEventsTable"


def stripe_event(event_type: str = "payment_intent.succeeded", *, user_id: str = "nobody", amount: int = 1500) -> str:
    """A Stripe event as Stripe serializes it (pretty-printed: the bytes are what is signed)."""
    return json.dumps(
        {
            "id": f"evt_{uuid.uuid4().hex[:24]}",
            "object": "event",
            "type": event_type,
            "created": int(time.time()),
            "livemode": False,
            "data": {
                "object": {
                    "id": f"pi_{uuid.uuid4().hex[:24]}",
                    "object": "payment_intent",
                    "amount": amount,
                    "amount_received": amount,
                    "currency": "eur",
                    "metadata": {"eckospace_user_id": user_id},
                }
            },
        },
        indent=2,
    )


def deliver(stack: RunningStack, payload: str, signature: str | None) -> requests.Response:
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    return requests.post(stack.url(PATH), data=payload.encode(), headers=headers, timeout=30)


def recorded(stack: RunningStack, payload: str) -> dict | None:
    event_id = json.loads(payload)["id"]
    return stack.aws("dynamodb").get_item(TableName=EVENTS_TABLE, Key={"event_id": {"S": event_id}}).get("Item")


def wallet_balance(stack: RunningStack, user_id: str, currency: str = "eur") -> int:
    item = (
        stack.aws("dynamodb")
        .get_item(
            TableName="eckospace-local-WalletsTable",
            ConsistentRead=True,
            Key={"pk": {"S": f"account#user:{user_id}:{currency}"}, "sk": {"S": "balance"}},
        )
        .get("Item")
    )
    return int(item["balance"]["N"]) if item else 0


def recorded_effect(stack: RunningStack, effect_id: str) -> dict | None:
    return (
        stack.aws("dynamodb")
        .get_item(
            TableName="eckospace-local-WalletsTable",
            ConsistentRead=True,
            Key={"pk": {"S": f"effect#{effect_id}"}, "sk": {"S": "effect"}},
        )
        .get("Item")
    )


def eventually(condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the payments worker did not get there in time"
        time.sleep(0.3)


@pytest.fixture(scope="module")
def secret(stack) -> str:
    return stack.credentials["stripe_webhook_secret"]


def test_a_verified_event_is_recorded_queued_and_applied_once(stack, secret):
    user = f"user-{uuid.uuid4().hex[:8]}"
    payload = stripe_event(user_id=user, amount=2500)
    first = deliver(stack, payload, stripe.WebhookSignature.generate_signature_header(payload, secret))
    assert first.status_code == 200 and first.json() == {"received": True, "outcome": "queued"}
    assert recorded(stack, payload)["status"]["S"] == "queued"
    again = deliver(stack, payload, stripe.WebhookSignature.generate_signature_header(payload, secret))
    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"
    eventually(lambda: wallet_balance(stack, user) == 2500)
    time.sleep(1.5)
    assert wallet_balance(stack, user) == 2500  # credited once, not twice


def test_exactly_once_under_duplicated_shuffled_concurrent_deliveries(stack, secret):
    """100 distinct top-ups, each delivered three times, concurrently and in shuffled order."""
    import random
    from concurrent.futures import ThreadPoolExecutor

    users = [f"user-{uuid.uuid4().hex[:8]}" for _ in range(10)]
    payloads = [stripe_event(user_id=users[i % 10], amount=100 + i) for i in range(100)]
    deliveries = [p for p in payloads for _ in range(3)]
    random.Random(4).shuffle(deliveries)

    def send(body: str) -> int:
        return deliver(stack, body, stripe.WebhookSignature.generate_signature_header(body, secret)).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(send, deliveries))
    assert set(statuses) == {200}
    expected = {user: sum(100 + i for i in range(100) if i % 10 == n) for n, user in enumerate(users)}
    eventually(lambda: {user: wallet_balance(stack, user) for user in users} == expected, seconds=90)
    entries = stack.aws("dynamodb").query(
        TableName="eckospace-local-WalletsTable",
        KeyConditionExpression="pk = :pk AND begins_with(sk, :e)",
        ExpressionAttributeValues={":pk": {"S": f"account#user:{users[0]}:eur"}, ":e": {"S": "entry#"}},
    )["Items"]
    assert len(entries) == 10 and sum(int(e["amount"]["N"]) for e in entries) == expected[users[0]]


def test_an_event_type_we_do_not_handle_is_acknowledged_and_recorded_as_ignored(stack, secret):
    payload = stripe_event("customer.created")
    answer = deliver(stack, payload, stripe.WebhookSignature.generate_signature_header(payload, secret))
    assert answer.status_code == 200 and answer.json()["outcome"] == "ignored"
    assert recorded(stack, payload)["status"]["S"] == "ignored"


def _signature_cases(secret: str, payload: str) -> dict[str, tuple[str, str | None]]:
    sign = stripe.WebhookSignature.generate_signature_header
    event = json.loads(payload)
    return {
        "missing header": (payload, None),
        "malformed header": (payload, "this is not a signature"),
        "wrong secret": (payload, sign(payload, "whsec_someone_else_entirely")),
        "tampered body": (payload.replace("1500", "150000"), sign(payload, secret)),
        "stale timestamp": (payload, sign(payload, secret, timestamp=int(time.time()) - 301)),
        "re-serialized by a proxy": (json.dumps(event, separators=(",", ":")), sign(payload, secret)),
        "no v1 signature": (payload, f"t={int(time.time())}"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing header",
        "malformed header",
        "wrong secret",
        "tampered body",
        "stale timestamp",
        "re-serialized by a proxy",
        "no v1 signature",
    ],
)
def test_bad_signatures_are_401_and_record_nothing(stack, secret, case):
    payload = stripe_event()
    body, signature = _signature_cases(secret, payload)[case]
    answer = deliver(stack, body, signature)
    assert answer.status_code == 401 and answer.headers["WWW-Authenticate"].startswith("Stripe-Signature")
    assert answer.json()["type"] == "urn:eckospace:problem:invalid-signature"
    assert recorded(stack, payload) is None


def test_an_event_the_worker_can_never_apply_lands_in_the_dead_letter_queue(stack, secret):
    """A refund on a wallet a dispute emptied fails every time it is applied: retried, then
    dead-lettered, and nothing is half-applied. (The queue is tuned for the test: 1 s visibility,
    2 receives.)"""

    def send(event: dict) -> str:
        payload = stripe_events.payload(event)
        answer = deliver(stack, payload, stripe_events.signature(payload, secret))
        assert answer.status_code == 200 and answer.json()["outcome"] == "queued"
        return event["id"]

    user = f"user-{uuid.uuid4().hex[:8]}"
    intent = stripe_events.payment_intent(amount=900, user=user)
    send(stripe_events.event("payment_intent.succeeded", intent))
    send(
        stripe_events.event(
            "charge.dispute.funds_withdrawn",
            stripe_events.dispute(amount=900, payment_intent=intent["id"], status="needs_response", withdrawn=900),
        )
    )
    eventually(lambda: wallet_balance(stack, user) == 0 and recorded_effect(stack, f"topup:{intent['id']}"))
    sqs = stack.aws("sqs")
    queue = sqs.get_queue_url(QueueName="eckospace-local-PaymentsQueue")["QueueUrl"]
    dead_letters = sqs.get_queue_url(QueueName="eckospace-local-PaymentsDeadLetterQueue")["QueueUrl"]
    original = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["VisibilityTimeout", "RedrivePolicy"])[
        "Attributes"
    ]
    redrive = json.loads(original["RedrivePolicy"])
    sqs.set_queue_attributes(
        QueueUrl=queue,
        Attributes={"VisibilityTimeout": "1", "RedrivePolicy": json.dumps({**redrive, "maxReceiveCount": 2})},
    )
    time.sleep(1.5)  # a long poll already waiting keeps the visibility it started with
    try:
        refund = stripe_events.refund(amount=900, payment_intent=intent["id"])
        event_id = send(stripe_events.event("refund.created", refund))
        dead: list[str] = []

        def dead_lettered() -> bool:
            messages = sqs.receive_message(QueueUrl=dead_letters, MaxNumberOfMessages=10).get("Messages", [])
            dead.extend(json.loads(m["Body"])["id"] for m in messages)
            return event_id in dead

        eventually(dead_lettered, seconds=40)
        assert wallet_balance(stack, user) == 0  # nothing was half-applied
        assert recorded_effect(stack, f"refund:{refund['id']}") is None
    finally:
        sqs.set_queue_attributes(QueueUrl=queue, Attributes=original)
