"""What each Stripe event does to wallets, as ledger effects keyed by the Stripe object they come
from, so duplicates and out-of-order deliveries converge on the same ledger:

- `payment_intent.succeeded` and `checkout.session.completed` (paid): the top-up, keyed by the
  payment intent, so the two events of one payment credit it once;
- `payment_intent.payment_failed`: no ledger effect, only the `payment.failed` domain event;
- refunds (`refund.created`, `refund.updated`, `refund.failed`, `charge.refund.updated`,
  `charge.refunded`): settled one by one by `eckospace.payments.refunds`, since what a refund does
  depends on what the ledger already holds; `refund_outcome()` says what its status asks for;
- disputes follow the money, not the paperwork: `charge.dispute.funds_withdrawn` holds the disputed
  amount (the wallet may go negative here, and only here); `charge.dispute.funds_reinstated` holds
  it as well if that had not happened yet (events arrive in any order), then gives back what Stripe
  reinstated (all of it for a won dispute; the refunded part of a partially refunded payment lost
  to a full-amount dispute). An inquiry (`warning_needs_response` closing as `warning_closed`) moves
  no funds, so no ledger change; `charge.dispute.created` and `charge.dispute.closed` only announce
  `dispute.opened` and `dispute.closed`.

Only payments our top-ups created carry `eckospace_user_id` in their metadata; others are ignored.
A dispute does not carry it: `find_user(payment_intent)` names the user (our records, or Stripe).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eckospace.events import DomainEvent, stable_event_id
from eckospace.payments.ledger import Effect

USER_METADATA_KEY = "eckospace_user_id"
REFUND_EVENTS = frozenset(
    {"refund.created", "refund.updated", "refund.failed", "charge.refund.updated", "charge.refunded"}
)
DISPUTE_EVENTS = frozenset(
    {
        "charge.dispute.created",
        "charge.dispute.closed",
        "charge.dispute.funds_withdrawn",
        "charge.dispute.funds_reinstated",
    }
)
_WALLET_EVENT = {
    "topup": "wallet.credited",
    "refund": "wallet.debited",
    "refund_reversal": "wallet.credited",
    "dispute_hold": "wallet.debited",
    "dispute_release": "wallet.credited",
}
_DEBITING_REFUNDS = frozenset({"pending", "requires_action", "succeeded"})  # the money is out, or on its way
_RETURNED_REFUNDS = frozenset({"failed", "canceled"})  # the money came back to the balance

FindUser = Callable[[str], "str | None"]


def refund_outcome(status: str | None) -> str | None:
    """ "debit" while a refund's money is out or leaving, "give_back" once it came back, None otherwise."""
    if status in _DEBITING_REFUNDS:
        return "debit"
    if status in _RETURNED_REFUNDS:
        return "give_back"
    return None


def _dispute_owner(dispute: dict[str, Any], find_user: FindUser | None) -> str | None:
    return find_user(dispute["payment_intent"]) if find_user and dispute.get("payment_intent") else None


def _reinstated(dispute: dict[str, Any]) -> int:
    """What Stripe gave back, in the dispute's currency: its amount in the proportion its balance
    transactions reinstated of what they withdrew (those are in the account's settlement currency).
    Without them, the whole amount."""
    amount = int(dispute["amount"])
    moves = [
        int(move["amount"])
        for move in dispute.get("balance_transactions") or []
        if isinstance(move, dict) and "amount" in move
    ]
    withdrawn, reinstated = -sum(m for m in moves if m < 0), sum(m for m in moves if m > 0)
    if withdrawn <= 0 or reinstated <= 0:
        return amount
    return min(amount, (2 * amount * reinstated + withdrawn) // (2 * withdrawn))  # rounded to nearest


def _dispute_effects(event: dict[str, Any], find_user: FindUser | None) -> list[Effect]:
    if event["type"] not in ("charge.dispute.funds_withdrawn", "charge.dispute.funds_reinstated"):
        return []  # opening and closing move no money; the funds events do
    dispute = event["data"]["object"]
    user_id = _dispute_owner(dispute, find_user)
    if not user_id:
        return []
    amount, currency = int(dispute["amount"]), str(dispute["currency"]).lower()
    hold = Effect(
        f"dispute_hold:{dispute['id']}", "dispute_hold", user_id, -amount, currency, "disputes", may_go_negative=True
    )
    if event["type"] == "charge.dispute.funds_withdrawn":
        return [hold]
    return [
        hold,
        Effect(
            f"dispute_release:{dispute['id']}",
            "dispute_release",
            user_id,
            _reinstated(dispute),
            currency,
            "disputes",
            may_go_negative=True,
        ),
    ]


def effects_for(event: dict[str, Any], find_user: FindUser | None = None) -> list[Effect]:
    """The effects an event always has, whatever the ledger holds (top-ups, dispute funds).
    `find_user(payment_intent_id)` names the user a payment belongs to (disputes need it)."""
    if event.get("type") in DISPUTE_EVENTS:
        return _dispute_effects(event, find_user)
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
    return []


def _dispute_announcement(event: dict[str, Any], find_user: FindUser | None) -> list[DomainEvent]:
    dispute = event["data"]["object"]
    user_id = _dispute_owner(dispute, find_user)
    if not user_id:
        return []
    status = str(dispute.get("status"))
    if event["type"] == "charge.dispute.created":
        return [
            DomainEvent(
                type="dispute.opened",
                subject=user_id,
                id=stable_event_id(f"dispute.opened:{dispute['id']}"),
                data={
                    "dispute": dispute["id"],
                    "status": status,
                    "inquiry": status.startswith("warning_"),
                    "amount": int(dispute["amount"]),
                    "currency": str(dispute["currency"]).lower(),
                },
            )
        ]
    return [
        DomainEvent(
            type="dispute.closed",
            subject=user_id,
            id=stable_event_id(f"dispute.closed:{dispute['id']}"),
            data={"dispute": dispute["id"], "status": status},
        )
    ]


def domain_events_for(
    event: dict[str, Any], effects: list[Effect], find_user: FindUser | None = None
) -> list[DomainEvent]:
    """The facts to announce, with ids derived from their cause: a replay announces the same ids,
    which consumers deduplicate. Each effect is a wallet movement (`wallet.credited`,
    `wallet.debited`); a dispute's opening and closing are announced as such, moving no money."""
    announced = [
        DomainEvent(
            type=_WALLET_EVENT[effect.kind],
            subject=effect.user_id,
            id=stable_event_id(effect.id),
            data={"amount": abs(effect.amount), "currency": effect.currency, "effect_id": effect.id},
        )
        for effect in effects
    ]
    if event.get("type") in ("charge.dispute.created", "charge.dispute.closed"):
        announced += _dispute_announcement(event, find_user)
    payment = event.get("data", {}).get("object", {})
    user_id = (payment.get("metadata") or {}).get(USER_METADATA_KEY)
    if user_id and event.get("type") in ("payment_intent.succeeded", "payment_intent.payment_failed"):
        outcome = "payment.succeeded" if event["type"] == "payment_intent.succeeded" else "payment.failed"
        announced.append(
            DomainEvent(
                type=outcome,
                subject=user_id,
                id=stable_event_id(f"{outcome}:{payment['id']}"),
                data={
                    "payment_intent": payment["id"],
                    "amount": payment.get("amount"),
                    "currency": payment.get("currency"),
                },
            )
        )
    return announced
