"""The Stripe webhook handler in-process against the emulator: secret rotation, base64 bodies, and
faults in DynamoDB and SQS. Whatever fails, no event is both recorded and left unqueued, and
Stripe gets a 5xx exactly when it must retry."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import stripe
from botocore.stub import Stubber

from eckospace import aws
from eckospace.payments import stripe_webhooks
from tests.integration.conftest import load_function
from tests.support import stripe_events
from tests.support.lambda_proxy import Answer, invoke

SECRET_ID = "eckospace/dev/stripe-webhook-secrets"
CURRENT, PREVIOUS = "whsec_current_" + "a" * 20, "whsec_previous_" + "b" * 20


@pytest.fixture
def handler(function_env):
    function_env("PaymentsStripeWebhookFunction")
    aws.client("secretsmanager").put_secret_value(
        SecretId=SECRET_ID, SecretString=json.dumps({"current": CURRENT, "previous": PREVIOUS})
    )
    stripe_webhooks._secrets_provider.cache_clear()
    yield load_function("payments_stripe_webhook").lambda_handler
    stripe_webhooks._secrets_provider.cache_clear()


def payload(event_type: str = "charge.refunded") -> str:
    return json.dumps(
        {
            "id": f"evt_{uuid.uuid4().hex[:24]}",
            "type": event_type,
            "object": "event",
            "data": {"object": {"id": "ch_1", "amount_refunded": 500}},
        }
    )


def deliver(handler, body: str, secret: str, *, as_base64: bool = False) -> tuple[int, dict]:
    headers = {"Stripe-Signature": stripe.WebhookSignature.generate_signature_header(body, secret)}
    answer = stripe_delivery(handler, body.encode() if as_base64 else body, headers)
    return answer.status, answer.body


def stripe_delivery(handler, body: str | bytes, headers: dict[str, str]) -> Answer:
    """Stripe's POST of `body` (bytes: sent base64-encoded, as API Gateway does for binary types)."""
    headers = {**headers, "Content-Type": "application/json"}
    return invoke(handler, "POST", "/payment/stripe/webhook", body=body, headers=headers)


def status_of(body: str) -> str | None:
    item = (
        aws.client("dynamodb")
        .get_item(TableName="eckospace-local-StripeEventsTable", Key={"event_id": {"S": json.loads(body)["id"]}})
        .get("Item")
    )
    return item["status"]["S"] if item else None


def test_current_and_previous_secrets_verify_during_a_rotation(handler):
    assert deliver(handler, payload(), CURRENT)[0] == 200
    assert deliver(handler, payload(), PREVIOUS)[0] == 200
    assert deliver(handler, payload(), "whsec_retired_long_ago_" + "c" * 10)[0] == 401


def test_base64_bodies_are_verified_over_their_decoded_bytes(handler):
    body = payload()
    assert deliver(handler, body, CURRENT, as_base64=True) == (200, {"received": True, "outcome": "queued"})


def test_a_body_that_is_not_utf8_is_refused_as_unsigned_not_a_fault(handler):
    signature = f"t={int(time.time())},v1={'0' * 64}"
    answer = stripe_delivery(handler, b"I\xa1\xff{", {"Stripe-Signature": signature})
    assert answer.status == 401, answer.text
    assert answer.body["type"] == "urn:eckospace:problem:invalid-signature"


def test_a_failed_dedupe_write_is_a_5xx_and_queues_nothing(handler):
    body = payload()
    with Stubber(aws.client("dynamodb")) as dynamodb, Stubber(aws.client("sqs")) as sqs:
        dynamodb.add_client_error("put_item", service_error_code="ProvisionedThroughputExceededException")
        status, problem = deliver(handler, body, CURRENT)
        sqs.assert_no_pending_responses()  # no send_message was expected, and none happened
    assert status == 503 and problem["request_id"]
    assert status_of(body) is None


def test_a_failed_send_is_a_5xx_leaves_no_record_and_the_retry_queues(handler):
    body = payload()
    with Stubber(aws.client("sqs")) as sqs:
        sqs.add_client_error("send_message", service_error_code="ServiceUnavailable", http_status_code=503)
        status, _ = deliver(handler, body, CURRENT)
    assert status == 503 and status_of(body) is None
    assert deliver(handler, body, CURRENT) == (200, {"received": True, "outcome": "queued"})  # Stripe's retry
    assert status_of(body) == "queued"


def test_a_record_left_received_is_queued_by_the_next_delivery(handler, monkeypatch):
    body = payload()
    forget = stripe_webhooks._forget

    def failing_forget(event_id: str) -> None:  # the clean-up itself failed: the record stays `received`
        pass

    monkeypatch.setattr(stripe_webhooks, "_forget", failing_forget)
    with Stubber(aws.client("sqs")) as sqs:
        sqs.add_client_error("send_message", service_error_code="ServiceUnavailable", http_status_code=503)
        assert deliver(handler, body, CURRENT)[0] == 503
    assert status_of(body) == "received"
    monkeypatch.setattr(stripe_webhooks, "_forget", forget)
    assert deliver(handler, body, CURRENT) == (200, {"received": True, "outcome": "queued"})
    assert status_of(body) == "queued"
    assert deliver(handler, body, CURRENT)[1]["outcome"] == "duplicate"


@pytest.mark.parametrize(
    "event_type",
    [
        "refund.created",
        "refund.updated",
        "refund.failed",
        "charge.refund.updated",
        "charge.refunded",
        "charge.dispute.created",
        "charge.dispute.funds_withdrawn",
        "charge.dispute.funds_reinstated",
        "charge.dispute.closed",
    ],
)
def test_refund_and_dispute_events_are_queued_for_the_worker(handler, event_type):
    refund = stripe_events.refund(amount=500, payment_intent="pi_1")
    dispute = stripe_events.dispute(amount=500, payment_intent="pi_1", status="needs_response")
    obj = (
        dispute
        if event_type.startswith("charge.dispute.")
        else (
            stripe_events.charge(amount=500, payment_intent="pi_1", amount_refunded=500)
            if event_type == "charge.refunded"
            else refund
        )
    )
    body = stripe_events.payload(stripe_events.event(event_type, obj))
    assert deliver(handler, body, CURRENT) == (200, {"received": True, "outcome": "queued"})
    assert status_of(body) == "queued"
