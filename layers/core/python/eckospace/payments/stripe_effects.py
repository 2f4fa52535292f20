"""What each Stripe event does to wallets, as ledger effects keyed by the Stripe object they come
from, so duplicates and out-of-order deliveries converge on the same ledger:

- `payment_intent.succeeded` and `checkout.session.completed` (paid): the top-up, keyed by the
  payment intent, so the two events of one payment credit it once;
- `charge.refunded`: each refund debits once, keyed by the refund (the event carries them all);
- `payment_intent.payment_failed`: no ledger effect, only the `payment.failed` domain event;
- `charge.dispute.created`: the disputed amount is held (the wallet may go negative here, and only
  here); `charge.dispute.closed`: held as well if that had not happened yet (events arrive in any
  order), then released back to the wallet if the dispute was won.

Only payments our top-ups created carry `eckospace_user_id` in their metadata; others are ignored.
A dispute does not carry it: its payment intent is read from the Stripe API to find the user.
"""

from __future__ import annotations

import hashlib
from typing import Any

from eckospace.events import DomainEvent
from eckospace.payments.ledger import Effect

USER_METADATA_KEY = "eckospace_user_id"
_DOMAIN_EVENT = {"topup": "wallet.credited", "refund": "wallet.debited", "dispute_hold": "dispute.opened",
                 "dispute_release": "dispute.closed"}


def _dispute_effects(event: dict[str, Any], find_user: Any) -> list[Effect]:
    dispute = event["data"]["object"]
    user_id = find_user(dispute["payment_intent"]) if dispute.get("payment_intent") else None
    if not user_id:
        return []
    amount, currency = int(dispute["amount"]), str(dispute["currency"]).lower()
    hold = Effect(f"dispute_hold:{dispute['id']}", "dispute_hold", user_id, -amount, currency, "disputes",
                  may_go_negative=True)
    if event["type"] == "charge.dispute.closed" and dispute.get("status") == "won":
        return [hold, Effect(f"dispute_release:{dispute['id']}", "dispute_release", user_id, amount, currency,
                             "disputes", may_go_negative=True)]
    return [hold]


def effects_for(event: dict[str, Any], find_user: Any = None) -> list[Effect]:
    """`find_user(payment_intent_id)` names the user a payment belongs to (disputes need it)."""
    if event.get("type") in ("charge.dispute.created", "charge.dispute.closed"):
        return _dispute_effects(event, find_user) if find_user else []
    payment = event.get("data", {}).get("object", {})
    user_id = (payment.get("metadata") or {}).get(USER_METADATA_KEY)
    if not user_id:
        return []
    currency = str(payment.get("currency", "")).lower()
    kind = event.get("type")
    if kind == "payment_intent.succeeded":
        received = payment.get("amount_received", payment["amount"])  # emulators may leave it out
        return [Effect(f"topup:{payment['id']}", "topup", user_id, int(received), currency, "stripe")]
    if kind == "checkout.session.completed" and payment.get("payment_status") == "paid":
        paid_by = payment.get("payment_intent") or payment["id"]
        return [Effect(f"topup:{paid_by}", "topup", user_id, int(payment["amount_total"]), currency, "stripe")]
    if kind == "charge.refunded":
        return [Effect(f"refund:{refund['id']}", "refund", user_id, -int(refund["amount"]), currency, "stripe")
                for refund in (payment.get("refunds") or {}).get("data", []) if refund.get("status") == "succeeded"]
    return []


def domain_events_for(event: dict[str, Any], effects: list[Effect]) -> list[DomainEvent]:
    """The facts to announce, with ids derived from their cause: a replay announces the same ids,
    which consumers deduplicate."""
    def stable_id(cause: str) -> str:
        return "evt_" + hashlib.sha256(cause.encode()).hexdigest()[:32]

    announced = [DomainEvent(type=_DOMAIN_EVENT[effect.kind], subject=effect.user_id, id=stable_id(effect.id),
                             data={"amount": abs(effect.amount), "currency": effect.currency, "effect_id": effect.id})
                 for effect in effects]
    if event.get("type") == "charge.dispute.closed" and effects and len(effects) == 1:
        # Closed and lost: the hold stands; still announce that the dispute is over.
        dispute_id = event["data"]["object"]["id"]
        announced.append(DomainEvent(type="dispute.closed", subject=effects[0].user_id,
                                     id=stable_id(f"dispute_release:{dispute_id}"),
                                     data={"dispute": dispute_id, "status": event["data"]["object"].get("status")}))
    payment = event.get("data", {}).get("object", {})
    user_id = (payment.get("metadata") or {}).get(USER_METADATA_KEY)
    if user_id and event.get("type") in ("payment_intent.succeeded", "payment_intent.payment_failed"):
        outcome = "payment.succeeded" if event["type"] == "payment_intent.succeeded" else "payment.failed"
        announced.append(DomainEvent(type=outcome, subject=user_id, id=stable_id(f"{outcome}:{payment['id']}"),
                                     data={"payment_intent": payment["id"], "amount": payment.get("amount"),
                                           "currency": payment.get("currency")}))
    return announced
