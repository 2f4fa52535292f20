"""Stripe events shaped as Stripe's API reference has them for current API versions (2024 and
later), for the payments tests of every tier.

Objects are built field for field after the reference's PaymentIntent, Charge, Refund, Dispute and
BalanceTransaction (a Charge no longer embeds its `refunds` since 2022-11-15), wrapped in an Event
envelope, then read back with the stripe library, which must recognise each one as the Stripe
object it claims to be. `payload()` serialises an event as Stripe sends it (pretty-printed), and
`signature()` signs it with the stripe library's own test helper.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import stripe

API_VERSION = "2024-10-28.acacia"  # refund.created / refund.updated / refund.failed for every refund
USER_METADATA_KEY = "eckospace_user_id"


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


def payment_intent(
    *,
    amount: int,
    currency: str = "eur",
    user: str | None = None,
    id: str | None = None,
    charge: str | None = None,
    status: str = "succeeded",
) -> dict[str, Any]:
    intent = id or new_id("pi")
    return {
        "id": intent,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_details": {"tip": {}},
        "amount_received": amount if status == "succeeded" else 0,
        "application": None,
        "application_fee_amount": None,
        "automatic_payment_methods": None,
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": "automatic_async",
        "client_secret": f"{intent}_secret_{uuid.uuid4().hex[:12]}",
        "confirmation_method": "automatic",
        "created": int(time.time()),
        "currency": currency,
        "customer": None,
        "description": None,
        "last_payment_error": None,
        "latest_charge": charge or new_id("ch"),
        "livemode": False,
        "metadata": {USER_METADATA_KEY: user} if user else {},
        "next_action": None,
        "on_behalf_of": None,
        "payment_method": new_id("pm"),
        "payment_method_options": {"card": {"request_three_d_secure": "automatic"}},
        "payment_method_types": ["card"],
        "processing": None,
        "receipt_email": None,
        "review": None,
        "setup_future_usage": None,
        "shipping": None,
        "source": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": status,
        "transfer_data": None,
        "transfer_group": None,
    }


def charge(
    *,
    amount: int,
    payment_intent: str,
    currency: str = "eur",
    amount_refunded: int = 0,
    user: str | None = None,
    id: str | None = None,
    disputed: bool = False,
) -> dict[str, Any]:
    """A Charge as current API versions return it: `amount_refunded` and `refunded`, but no `refunds`."""
    return {
        "id": id or new_id("ch"),
        "object": "charge",
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": amount_refunded,
        "application": None,
        "application_fee": None,
        "application_fee_amount": None,
        "balance_transaction": new_id("txn"),
        "billing_details": {
            "address": {
                "city": None,
                "country": None,
                "line1": None,
                "line2": None,
                "postal_code": None,
                "state": None,
            },
            "email": None,
            "name": None,
            "phone": None,
        },
        "calculated_statement_descriptor": "ECKOSPACE",
        "captured": True,
        "created": int(time.time()),
        "currency": currency,
        "customer": None,
        "description": None,
        "disputed": disputed,
        "failure_balance_transaction": None,
        "failure_code": None,
        "failure_message": None,
        "fraud_details": {},
        "livemode": False,
        "metadata": {USER_METADATA_KEY: user} if user else {},
        "on_behalf_of": None,
        "outcome": {
            "network_status": "approved_by_network",
            "reason": None,
            "risk_level": "normal",
            "seller_message": "Payment complete.",
            "type": "authorized",
        },
        "paid": True,
        "payment_intent": payment_intent,
        "payment_method": new_id("pm"),
        "payment_method_details": {
            "card": {
                "brand": "visa",
                "country": "US",
                "exp_month": 12,
                "exp_year": 2034,
                "funding": "credit",
                "last4": "4242",
                "network": "visa",
            },
            "type": "card",
        },
        "receipt_email": None,
        "receipt_number": None,
        "receipt_url": None,
        "refunded": amount_refunded >= amount,
        "review": None,
        "shipping": None,
        "source_transfer": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": "succeeded",
        "transfer_data": None,
        "transfer_group": None,
    }


def refund(
    *,
    amount: int,
    payment_intent: str | None,
    charge: str | None = None,
    currency: str = "eur",
    status: str = "succeeded",
    id: str | None = None,
) -> dict[str, Any]:
    failed = status == "failed"
    return {
        "id": id or new_id("re"),
        "object": "refund",
        "amount": amount,
        "balance_transaction": new_id("txn"),
        "charge": charge or new_id("ch"),
        "created": int(time.time()),
        "currency": currency,
        "destination_details": {
            "card": {
                "reference": "123456789012",
                "reference_status": "available",
                "reference_type": "acquirer_reference_number",
                "type": "refund",
            },
            "type": "card",
        },
        "failure_balance_transaction": new_id("txn") if failed else None,
        "failure_reason": "expired_or_canceled_card" if failed else None,
        "metadata": {},
        "payment_intent": payment_intent,
        "reason": "requested_by_customer",
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": status,
        "transfer_reversal": None,
    }


def balance_transaction(amount: int, *, currency: str, dispute: str, charge: str) -> dict[str, Any]:
    """A dispute's withdrawal (negative) or reinstatement (positive), as the Dispute lists them."""
    withdrawal = amount < 0
    fee = 1500 if withdrawal else -1500
    return {
        "id": new_id("txn"),
        "object": "balance_transaction",
        "amount": amount,
        "available_on": int(time.time()),
        "created": int(time.time()),
        "currency": currency,
        "description": f"Chargeback {'withdrawal' if withdrawal else 'reversal'} for {charge}",
        "exchange_rate": None,
        "fee": fee,
        "fee_details": [
            {
                "amount": fee,
                "application": None,
                "currency": currency,
                "description": "Dispute fee",
                "type": "stripe_fee",
            }
        ],
        "net": amount - fee,
        "reporting_category": "dispute" if withdrawal else "dispute_reversal",
        "source": dispute,
        "status": "available",
        "type": "adjustment",
    }


def dispute(
    *,
    amount: int,
    payment_intent: str,
    status: str,
    currency: str = "eur",
    id: str | None = None,
    charge: str | None = None,
    withdrawn: int | None = None,
    reinstated: int | None = None,
) -> dict[str, Any]:
    """A Dispute; `withdrawn` and `reinstated` add the balance transactions of funds moved so far."""
    dispute_id, charge_id = id or new_id("dp"), charge or new_id("ch")
    moves = []
    if withdrawn:
        moves.append(balance_transaction(-withdrawn, currency=currency, dispute=dispute_id, charge=charge_id))
    if reinstated:
        moves.append(balance_transaction(reinstated, currency=currency, dispute=dispute_id, charge=charge_id))
    inquiry = status.startswith("warning_")
    return {
        "id": dispute_id,
        "object": "dispute",
        "amount": amount,
        "balance_transactions": moves,
        "charge": charge_id,
        "created": int(time.time()),
        "currency": currency,
        "enhanced_eligibility_types": [],
        "evidence": {
            "access_activity_log": None,
            "billing_address": None,
            "cancellation_policy": None,
            "customer_email_address": None,
            "customer_name": None,
            "product_description": None,
            "receipt": None,
            "refund_policy": None,
            "uncategorized_text": None,
        },
        "evidence_details": {
            "due_by": int(time.time()) + 7 * 86400,
            "enhanced_eligibility": {},
            "has_evidence": False,
            "past_due": False,
            "submission_count": 0,
        },
        "is_charge_refundable": inquiry,
        "livemode": False,
        "metadata": {},
        "network_reason_code": "10.4",
        "payment_intent": payment_intent,
        "payment_method_details": {
            "card": {
                "brand": "visa",
                "case_type": "inquiry" if inquiry else "chargeback",
                "network_reason_code": "10.4",
            },
            "type": "card",
        },
        "reason": "fraudulent",
        "status": status,
    }


_OBJECT_CLASSES = {
    "payment_intent": stripe.PaymentIntent,
    "charge": stripe.Charge,
    "refund": stripe.Refund,
    "dispute": stripe.Dispute,
}


def event(
    event_type: str, obj: dict[str, Any], *, previous_attributes: dict[str, Any] | None = None, id: str | None = None
) -> dict[str, Any]:
    """An Event envelope around `obj`, checked by the stripe library."""
    data: dict[str, Any] = {"object": obj}
    if previous_attributes is not None:
        data["previous_attributes"] = previous_attributes
    envelope = {
        "id": id or new_id("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": int(time.time()),
        "data": data,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }
    parsed = stripe.Event.construct_from(json.loads(json.dumps(envelope)), "sk_test_unused")
    assert isinstance(parsed.data.object, _OBJECT_CLASSES[obj["object"]]), obj["object"]
    for move in obj.get("balance_transactions", []):
        assert move["object"] == "balance_transaction"
    assert parsed.to_dict() == envelope
    return envelope


def payload(envelope: dict[str, Any]) -> str:
    return json.dumps(envelope, indent=2)


def signature(body: str, secret: str) -> str:
    return stripe.WebhookSignature.generate_signature_header(body, secret)
