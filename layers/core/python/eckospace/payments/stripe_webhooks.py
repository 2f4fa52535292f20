"""Incoming Stripe webhooks: verify, record once, queue, answer fast.

The signature is checked over the exact bytes Stripe sent (decoded from base64 when API Gateway
flagged the body so) with the stripe library, against the current secret and, during a rotation,
the previous one, before anything is parsed. A verified event is recorded by its id with a
conditional write and queued for the payments worker; the record only says `queued` once the
queue has the message. If queueing fails the record is removed and the answer is a 5xx, so Stripe
retries; if even that removal fails, the record stays `received`, and the retry queues it then.
So an event is never recorded without being queued, and a duplicate delivery queues nothing new.
"""

from __future__ import annotations

import json
import time
from functools import cache
from typing import Any

from eckospace import aws
from eckospace.errors import InvalidInput, NotAuthenticated
from eckospace.observability import logger
from eckospace.payments import settings

TOLERANCE_SECONDS = 300
RETENTION_SECONDS = 30 * 24 * 3600  # Stripe retries for three days; keep ids well past that
HANDLED_TYPES = frozenset(
    {  # the events Stripe's webhook endpoint must be subscribed to (README)
        "checkout.session.completed",
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "refund.created",
        "refund.updated",
        "refund.failed",
        "charge.refund.updated",
        "charge.refunded",
        "charge.dispute.created",
        "charge.dispute.funds_withdrawn",
        "charge.dispute.funds_reinstated",
        "charge.dispute.closed",
    }
)


class SignatureRejected(NotAuthenticated):
    """The request does not authenticate as Stripe's, as for any credential we refuse."""

    slug, title = "invalid-signature", "Invalid webhook signature"
    scheme = "Stripe-Signature"


@cache
def _secrets_provider() -> Any:
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    return SecretsProvider(boto3_client=aws.client("secretsmanager"))


def webhook_secrets() -> list[str]:
    document = _secrets_provider().get(settings.STRIPE_WEBHOOK_SECRETS(), transform="json", max_age=300)
    return [document[name] for name in ("current", "previous") if document.get(name)]


def verified_event(payload: bytes, signature_header: str | None) -> dict[str, Any]:
    """The event, once its signature checks out against one of our secrets (401 otherwise)."""
    import stripe

    if not signature_header:
        raise SignatureRejected("The Stripe-Signature header is missing.")
    try:
        payload.decode("utf-8")  # Stripe signs UTF-8 JSON; the library cannot even read anything else
    except UnicodeDecodeError:
        raise SignatureRejected("The payload is not UTF-8 text, so no Stripe signature can match it.") from None
    for secret in webhook_secrets():
        try:
            stripe.WebhookSignature.verify_header(payload, signature_header, secret, tolerance=TOLERANCE_SECONDS)
            break
        except stripe.SignatureVerificationError:
            continue
    else:
        logger().info("stripe webhook refused: no secret verifies its signature")
        raise SignatureRejected("The signature does not match this payload, or it is too old.")
    try:
        event = json.loads(payload)
    except ValueError:
        raise InvalidInput("The signed payload is not JSON.") from None
    if not isinstance(event, dict) or not str(event.get("id", "")).startswith("evt_") or not event.get("type"):
        raise InvalidInput("The signed payload is not a Stripe event.")
    return event


def _table() -> str:
    return settings.STRIPE_EVENTS_TABLE()


def _record(event: dict[str, Any], status: str) -> bool:
    """True if this delivery recorded the event; False if an earlier one had."""
    client = aws.client("dynamodb")
    now = int(time.time())
    try:
        client.put_item(
            TableName=_table(),
            ConditionExpression="attribute_not_exists(event_id)",
            Item={
                "event_id": {"S": event["id"]},
                "type": {"S": str(event["type"])},
                "status": {"S": status},
                "received_at": {"N": str(now)},
                "expires_at": {"N": str(now + RETENTION_SECONDS)},
            },
        )
    except client.exceptions.ConditionalCheckFailedException:
        return False
    return True


def _recorded_status(event_id: str) -> str | None:
    found = aws.client("dynamodb").get_item(TableName=_table(), Key={"event_id": {"S": event_id}}, ConsistentRead=True)
    status: str | None = found.get("Item", {}).get("status", {}).get("S")
    return status


def _set_status(event_id: str, status: str) -> None:
    aws.client("dynamodb").update_item(
        TableName=_table(),
        Key={"event_id": {"S": event_id}},
        UpdateExpression="SET #status = :status",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={":status": {"S": status}},
    )


def _forget(event_id: str) -> None:
    """Undo a record whose queueing failed, so Stripe's retry starts afresh."""
    client = aws.client("dynamodb")
    try:
        client.delete_item(
            TableName=_table(),
            Key={"event_id": {"S": event_id}},
            ConditionExpression="#status = :received",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":received": {"S": "received"}},
        )
    except Exception:  # the record stays `received`; the next delivery queues it (see the module doc)
        logger().exception("could not remove an unqueued stripe event record", extra={"event_id": event_id})


def accept(event: dict[str, Any]) -> str:
    """Record and queue a verified event: "queued", "duplicate" or "ignored"."""
    event_id, handled = event["id"], event["type"] in HANDLED_TYPES
    if not _record(event, "received" if handled else "ignored"):
        if _recorded_status(event_id) != "received":
            return "duplicate"
        logger().info("re-queueing a stripe event whose earlier queueing failed", extra={"event_id": event_id})
    elif not handled:
        return "ignored"
    try:
        aws.client("sqs").send_message(
            QueueUrl=settings.PAYMENTS_QUEUE_URL(),
            MessageBody=json.dumps(event, separators=(",", ":")),
            MessageAttributes={"event_type": {"DataType": "String", "StringValue": str(event["type"])}},
        )
    except Exception:
        _forget(event_id)
        raise
    try:
        _set_status(event_id, "queued")
    except Exception:  # queued all the same: the worker deduplicates by event id
        logger().exception("stripe event queued but its record not updated", extra={"event_id": event_id})
    return "queued"
