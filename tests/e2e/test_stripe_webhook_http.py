"""POST /payment/stripe/webhook over HTTP through the local stack, signed with Stripe's own library:
every bad signature is a 400 that records nothing; a good one is recorded once and queued once."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests
import stripe

from tests.support.local_stack import RunningStack

PATH = "/payment/stripe/webhook"
EVENTS_TABLE = "eckospace-local-StripeEventsTable"


def stripe_event(event_type: str = "payment_intent.succeeded") -> str:
    """A Stripe event as Stripe serializes it (pretty-printed: the bytes are what is signed)."""
    return json.dumps({"id": f"evt_{uuid.uuid4().hex[:24]}", "object": "event", "type": event_type,
                       "created": int(time.time()), "livemode": False,
                       "data": {"object": {"id": f"pi_{uuid.uuid4().hex[:24]}", "object": "payment_intent",
                                           "amount": 1500, "currency": "eur"}}}, indent=2)


def deliver(stack: RunningStack, payload: str, signature: str | None) -> requests.Response:
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    return requests.post(stack.url(PATH), data=payload.encode(), headers=headers, timeout=30)


def recorded(stack: RunningStack, payload: str) -> dict | None:
    event_id = json.loads(payload)["id"]
    return stack.aws("dynamodb").get_item(TableName=EVENTS_TABLE, Key={"event_id": {"S": event_id}}).get("Item")


def queued_ids(stack: RunningStack) -> list[str]:
    """Event ids on the payments queue (read without consuming: messages come back at once)."""
    sqs = stack.aws("sqs")
    url = sqs.get_queue_url(QueueName="eckospace-local-PaymentsQueue")["QueueUrl"]
    ids, seen = [], set()
    for _ in range(20):
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])
        fresh = [m for m in batch if m["MessageId"] not in seen]
        if not fresh:
            break
        for message in fresh:
            seen.add(message["MessageId"])
            ids.append(json.loads(message["Body"])["id"])
    return ids


@pytest.fixture(scope="module")
def secret(stack) -> str:
    return stack.credentials["stripe_webhook_secret"]


def test_a_verified_event_is_recorded_and_queued_once(stack, secret):
    payload = stripe_event()
    first = deliver(stack, payload, stripe.WebhookSignature.generate_signature_header(payload, secret))
    assert first.status_code == 200 and first.json() == {"received": True, "outcome": "queued"}
    assert recorded(stack, payload)["status"]["S"] == "queued"
    again = deliver(stack, payload, stripe.WebhookSignature.generate_signature_header(payload, secret))
    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"
    assert queued_ids(stack).count(json.loads(payload)["id"]) == 1


def test_an_event_type_we_do_not_handle_is_acknowledged_and_recorded_as_ignored(stack, secret):
    payload = stripe_event("customer.created")
    answer = deliver(stack, payload, stripe.WebhookSignature.generate_signature_header(payload, secret))
    assert answer.status_code == 200 and answer.json()["outcome"] == "ignored"
    assert recorded(stack, payload)["status"]["S"] == "ignored"
    assert json.loads(payload)["id"] not in queued_ids(stack)


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


@pytest.mark.parametrize("case", ["missing header", "malformed header", "wrong secret", "tampered body",
                                  "stale timestamp", "re-serialized by a proxy", "no v1 signature"])
def test_bad_signatures_are_400_and_record_nothing(stack, secret, case):
    payload = stripe_event()
    body, signature = _signature_cases(secret, payload)[case]
    answer = deliver(stack, body, signature)
    assert answer.status_code == 400
    assert answer.json()["type"] in ("urn:eckospace:problem:invalid-signature", "urn:eckospace:problem:invalid-request")
    assert recorded(stack, payload) is None and json.loads(payload)["id"] not in queued_ids(stack)
