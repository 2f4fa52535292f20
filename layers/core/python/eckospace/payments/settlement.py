"""The payments worker's job: one verified Stripe event applied to the wallet ledger, each effect
exactly once, and the domain events that announce it (see `stripe_effects` and `refunds`)."""

from __future__ import annotations

from typing import Any

from eckospace.events import DomainEvent
from eckospace.payments import ledger, refunds, topups
from eckospace.payments.stripe_effects import REFUND_EVENTS, domain_events_for, effects_for

STRIPE = refunds.StripeLookups(
    payment_owner=topups.payment_owner,
    charge_payment_intent=topups.charge_payment_intent,
    charge_refunds=topups.charge_refunds,
)


def payment_owner(payment_intent: str) -> str | None:
    """The user a payment intent topped up: our top-up record says so once credited; else Stripe."""
    credited = ledger.record(f"topup:{payment_intent}")
    return (credited or {}).get("user_id") or STRIPE.payment_owner(payment_intent)


def apply_event(event: dict[str, Any]) -> list[DomainEvent]:
    """Apply `event`; the facts to publish. Raises when it must be retried."""
    if event.get("type") in REFUND_EVENTS:
        effects = refunds.settle_event(event, STRIPE)
    else:
        effects = effects_for(event, find_user=payment_owner)
        for effect in effects:
            ledger.apply(effect)
    return domain_events_for(event, effects, find_user=payment_owner)
