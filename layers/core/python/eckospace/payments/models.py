"""What the wallet and top-up routes answer, for the OpenAPI document.

Handlers return plain dicts (`eckospace.payments.wallet`, `eckospace.payments.topups`); these
models only describe them, and are imported when the document is generated, never on a cold start.
Every key is always present. Amounts are in minor units (cents); currencies are ISO 4217, lower case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Balance(Shape):
    currency: str = Field(description="ISO 4217, lower case")
    balance: int = Field(description="Minor units (cents); negative only while a dispute holds funds")


class Wallet(Shape):
    balances: list[Balance] = Field(
        description="One per currency the platform's wallets hold, 0 where yours never held it"
    )


class LedgerEntry(Shape):
    effect_id: str = Field(
        description="What moved the money, e.g. `topup:pi_...` or `refund:re_...`; one entry per effect and wallet"
    )
    kind: Literal["topup", "refund", "refund_reversal", "dispute_hold", "dispute_release"] = Field(
        description="`topup` credits a payment; `refund` debits a refund, `refund_reversal` gives back one that "
        "failed or was canceled; `dispute_hold` holds disputed funds, `dispute_release` gives back "
        "what Stripe reinstated"
    )
    amount: int = Field(description="Minor units: positive credits the wallet, negative debits it")
    currency: str = Field(description="ISO 4217, lower case: the `currency` asked for")
    created_at: datetime


class LedgerPage(Shape):
    data: list[LedgerEntry] = Field(description="Newest first")
    next_cursor: str | None = Field(description="Pass back as `cursor` for the next page; null on the last page")


class TopUp(Shape):
    id: str = Field(description="`tu_` and 20 hexadecimal digits")
    payment_intent: str = Field(description="The Stripe PaymentIntent (`pi_...`) to confirm")
    client_secret: str = Field(description="The PaymentIntent's client secret, for Stripe.js to confirm it with")
    amount: int = Field(description="Minor units (cents)")
    currency: str = Field(description="ISO 4217, lower case")
    status: Literal[
        "requires_payment_method",
        "requires_confirmation",
        "requires_action",
        "processing",
        "requires_capture",
        "canceled",
        "succeeded",
    ] = Field(description="The PaymentIntent's status when it was created (a replay answers the same)")


class StripeWebhookReceipt(Shape):
    """What `POST /payment/stripe/webhook` answers Stripe once a delivery's signature checks out."""

    received: Literal[True]
    outcome: Literal["queued", "duplicate", "ignored"] = Field(
        description="`queued` for the payments worker; `duplicate`: this event was received before; `ignored`: "
        "an event type the wallet does not act on (acknowledged and recorded)"
    )
