"""Wallet top-ups: a Stripe PaymentIntent for the amount, tagged with the user and the top-up,
that the front end confirms with Stripe; the wallet is credited when Stripe's
`payment_intent.succeeded` reaches the webhook (never on the client's word).

Stripe calls go through the stripe library to `ECKO_STRIPE_API_BASE` (Stripe itself, or a local
emulator), with the secret key from Secrets Manager (`ECKO_STRIPE_API_KEY_SECRET`).
"""

from __future__ import annotations

import uuid
from functools import cache
from typing import Any

from eckospace import aws
from eckospace.errors import InvalidInput, Unprocessable
from eckospace.payments import settings
from eckospace.payments.stripe_effects import USER_METADATA_KEY
from eckospace.payments.wallet import currencies

MIN_AMOUNT, MAX_AMOUNT = 100, 100_000  # minor units: 1.00 to 1,000.00


@cache
def _secret_provider() -> Any:
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    return SecretsProvider(boto3_client=aws.client("secretsmanager"))


def _stripe() -> Any:
    import stripe

    key = _secret_provider().get(settings.STRIPE_API_KEY_SECRET(), max_age=300)
    return stripe.StripeClient(key, base_addresses={"api": settings.STRIPE_API_BASE()}, max_network_retries=2)


def payment_owner(payment_intent_id: str) -> str | None:
    """The user a payment intent tops up, read from Stripe (the source of truth), not an event."""
    intent = _stripe().v1.payment_intents.retrieve(payment_intent_id)
    return (intent.to_dict().get("metadata") or {}).get(USER_METADATA_KEY)


def charge_payment_intent(charge_id: str) -> str | None:
    """The payment intent a charge belongs to, read from Stripe (for refunds that name only a charge)."""
    intent = _stripe().v1.charges.retrieve(charge_id).to_dict().get("payment_intent")
    return intent.get("id") if isinstance(intent, dict) else intent


def charge_refunds(charge_id: str) -> list[dict[str, Any]]:
    """Every refund of a charge as Stripe has it now (Charge objects stopped embedding them in API
    version 2022-11-15)."""
    page = _stripe().v1.refunds.list(params={"charge": charge_id, "limit": 100})
    return [refund.to_dict() for refund in page.auto_paging_iter()]


def create_top_up(
    user_id: str, amount: int, currency: str, *, idempotency_key: str, payment_method: str | None = None
) -> dict[str, Any]:
    currency = currency.lower()
    if currency not in currencies():
        raise InvalidInput(
            f"currency must be one of {', '.join(currencies())}.",
            errors=[{"in": "body", "name": "currency", "detail": "is not a wallet currency"}],
        )
    if not MIN_AMOUNT <= amount <= MAX_AMOUNT:
        raise InvalidInput(
            f"amount must be between {MIN_AMOUNT} and {MAX_AMOUNT} (minor units).",
            errors=[{"in": "body", "name": "amount", "detail": "is out of range"}],
        )
    top_up_id = f"tu_{uuid.uuid4().hex[:20]}"
    params: dict[str, Any] = {
        "amount": amount,
        "currency": currency,
        "payment_method_types": ["card"],
        "metadata": {USER_METADATA_KEY: user_id, "eckospace_top_up_id": top_up_id},
    }
    if payment_method:
        params["payment_method"] = payment_method
    import stripe

    try:
        intent = _stripe().v1.payment_intents.create(
            params=params,
            # Stripe's own idempotency, so a retried create never makes a second intent
            options={"idempotency_key": f"top-up:{user_id}:{idempotency_key}"},
        )
    except stripe.InvalidRequestError as error:
        if payment_method and (
            error.code == "resource_missing"
            or error.http_status == 404
            or getattr(error, "param", None) == "payment_method"
        ):
            raise Unprocessable(
                "Stripe knows no such payment method.",
                errors=[{"in": "body", "name": "payment_method", "detail": "is not a payment method Stripe knows"}],
            ) from None
        raise
    return {
        "id": top_up_id,
        "payment_intent": intent.id,
        "client_secret": intent.client_secret,
        "amount": amount,
        "currency": currency,
        "status": intent.status,
    }
