"""Refunds to wallets: each refund settled by its id, whatever event brings it and in whatever order.

A refund is read from Stripe's Refund object: `refund.created`, `refund.updated` and
`refund.failed` carry it (for every refund since API version 2024-10-28; `charge.refund.updated`
on older ones). `charge.refunded` carries a Charge, which stopped embedding its refunds in API
version 2022-11-15: its refunds are listed from Stripe (or read from the charge when it still
lists them all). Whatever brought it, a refund's `status` decides:

- `pending`, `requires_action` or `succeeded` (the money is out of Stripe's balance, or leaving it):
  the wallet is debited once (`refund:<id>`), drawing on the top-up the refund gives back: partial
  refunds add up, and together they never take back more than that top-up credited;
- `failed` or `canceled` (the money came back): a debit applied before is given back once
  (`refund_reversal:<id>`, releasing its draw); a refund never debited is voided, so that a
  `pending` delivered late changes nothing.

The payment a refund gives back is found through its payment intent (the charge's, asked of Stripe
when the refund names none). Our top-up record names the user. A payment intent we never credited
is asked of Stripe: not one of our top-ups, the refund is ignored; one of ours, its top-up has not
been credited yet and the refund waits for it (`TopUpNotCredited`: the message is retried).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eckospace.observability import logger
from eckospace.payments import ledger
from eckospace.payments.ledger import Effect
from eckospace.payments.stripe_effects import refund_outcome

DRAW_ATTEMPTS = 5


class TopUpNotCredited(Exception):
    """The refund gives back a top-up of ours not credited yet: retried until it is."""


@dataclass(frozen=True)
class StripeLookups:
    """What the settlement asks Stripe when our records do not tell."""

    payment_owner: Callable[[str], str | None]  # the user in a payment intent's metadata
    charge_payment_intent: Callable[[str], str | None]
    charge_refunds: Callable[[str], list[dict[str, Any]]]


@dataclass(frozen=True)
class _TopUp:
    effect_id: str
    user_id: str
    currency: str


def _top_up(payment_intent: str | None, stripe: StripeLookups) -> _TopUp | None:
    """The top-up a payment intent credited; None if it is not one of ours."""
    if not payment_intent:
        return None
    effect_id = f"topup:{payment_intent}"
    credited = ledger.record(effect_id)
    if credited is None:
        if stripe.payment_owner(payment_intent) is None:
            return None
        raise TopUpNotCredited(f"{payment_intent} is a top-up not credited yet")
    user_id = credited["user_id"] or stripe.payment_owner(payment_intent)  # markers of old lack the user
    if not user_id:
        return None
    return _TopUp(effect_id, user_id, credited["currency"] or "")


def _payment_intent(refund: dict[str, Any], stripe: StripeLookups) -> str | None:
    if refund.get("payment_intent"):
        intent = refund["payment_intent"]
        return intent.get("id") if isinstance(intent, dict) else str(intent)
    charge = refund.get("charge")
    charge_id = charge.get("id") if isinstance(charge, dict) else charge
    return stripe.charge_payment_intent(charge_id) if charge_id else None


def _as_applied(marker: dict[str, Any] | None) -> list[Effect]:
    """An effect applied before, to announce again (same id), unless voided (or recorded before
    markers named their user)."""
    if marker is None or marker["voided"] or not marker["user_id"] or not marker["amount"]:
        return []
    return [Effect(marker["id"], marker["kind"], marker["user_id"], marker["amount"], marker["currency"], "stripe")]


def _debit(refund: dict[str, Any], stripe: StripeLookups) -> list[Effect]:
    effect_id = f"refund:{refund['id']}"
    settled = ledger.record(effect_id)
    if settled is not None:
        return _as_applied(settled)
    top_up = _top_up(_payment_intent(refund, stripe), stripe)
    if top_up is None:
        return []
    currency = top_up.currency or str(refund["currency"]).lower()
    for _ in range(DRAW_ATTEMPTS):
        credited = ledger.record(top_up.effect_id)
        assert credited is not None  # top-ups are never removed
        debit = min(int(refund["amount"]), credited["amount"] - credited["drawn"])
        if debit <= 0:
            logger().warning(
                "refund beyond what its top-up credited: not debited",
                extra={"refund": refund["id"], "top_up": top_up.effect_id},
            )
            ledger.void(effect_id, "refund")
            return _as_applied(ledger.record(effect_id))
        effect = Effect(
            effect_id,
            "refund",
            top_up.user_id,
            -debit,
            currency,
            "stripe",
            draws_on=top_up.effect_id,
            draw_limit=credited["amount"] - debit,
        )
        try:
            if ledger.apply(effect):
                return [effect]
        except ledger.DrawRefused:
            continue  # another refund of the same payment drew first: read again
        return _as_applied(ledger.record(effect_id))  # settled meanwhile by another delivery
    raise ledger.DrawRefused(f"{effect_id}: {top_up.effect_id} kept changing")


def _give_back(refund: dict[str, Any], stripe: StripeLookups) -> list[Effect]:
    effect_id = f"refund:{refund['id']}"
    debited = ledger.record(effect_id)
    if debited is None:
        try:
            if _top_up(_payment_intent(refund, stripe), stripe) is None:
                return []  # not a payment of ours
        except TopUpNotCredited:
            pass  # nothing debited, and nothing will be
        if ledger.void(effect_id, "refund"):
            return []
        debited = ledger.record(effect_id)
        assert debited is not None
    if debited["voided"] or debited["amount"] >= 0:
        return []
    user_id = debited["user_id"]
    if not user_id:  # debited before markers named their user
        intent = _payment_intent(refund, stripe)
        user_id = stripe.payment_owner(intent) if intent else None
    if not user_id:
        return []
    reversal = Effect(
        f"refund_reversal:{refund['id']}",
        "refund_reversal",
        user_id,
        -debited["amount"],
        debited["currency"] or str(refund["currency"]).lower(),
        "stripe",
        draws_on=debited["draws_on"],
    )
    ledger.apply(reversal)
    return [reversal]


def settle(refund: dict[str, Any], stripe: StripeLookups) -> list[Effect]:
    """Bring the ledger in line with one refund as Stripe last described it; the effects that stand
    for it (applied now or before), to announce."""
    outcome = refund_outcome(refund.get("status"))
    if outcome == "debit":
        return _debit(refund, stripe)
    if outcome == "give_back":
        return _give_back(refund, stripe)
    return []


def refunds_of(event: dict[str, Any], stripe: StripeLookups) -> list[dict[str, Any]]:
    """The refunds an event is about: the Refund it carries, or a refunded charge's refunds (only
    for charges of our top-ups)."""
    obj = event.get("data", {}).get("object", {})
    if event.get("type") != "charge.refunded":
        return [obj] if obj.get("object") == "refund" else []
    intent = obj.get("payment_intent")
    if _top_up(intent.get("id") if isinstance(intent, dict) else intent, stripe) is None:
        return []
    embedded = obj.get("refunds")
    if isinstance(embedded, dict) and isinstance(embedded.get("data"), list) and not embedded.get("has_more"):
        listed: list[dict[str, Any]] = embedded["data"]  # API versions before 2022-11-15 still list them all
        return listed
    return stripe.charge_refunds(obj["id"])


def settle_event(event: dict[str, Any], stripe: StripeLookups) -> list[Effect]:
    return [effect for refund in refunds_of(event, stripe) for effect in settle(refund, stripe)]
