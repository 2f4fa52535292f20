"""Which ledger effects and domain events each Stripe event yields (no I/O: the owner of a payment
is given, as the worker reads it from Stripe)."""

from __future__ import annotations

from eckospace.payments.stripe_effects import domain_events_for, effects_for


def dispute(event_type: str, status: str, amount: int = 700) -> dict:
    return {"type": event_type, "data": {"object": {"id": "dp_1", "amount": amount, "currency": "EUR",
                                                    "status": status, "payment_intent": "pi_1"}}}


def owner(payment_intent: str) -> str | None:
    return {"pi_1": "u1"}.get(payment_intent)


def test_a_dispute_holds_then_a_won_one_releases():
    opened = effects_for(dispute("charge.dispute.created", "needs_response"), find_user=owner)
    assert [(e.id, e.amount, e.may_go_negative) for e in opened] == [("dispute_hold:dp_1", -700, True)]
    won = effects_for(dispute("charge.dispute.closed", "won"), find_user=owner)
    assert [(e.id, e.amount) for e in won] == [("dispute_hold:dp_1", -700), ("dispute_release:dp_1", 700)]
    lost = effects_for(dispute("charge.dispute.closed", "lost"), find_user=owner)
    assert [e.id for e in lost] == ["dispute_hold:dp_1"]


def test_dispute_domain_events_share_ids_across_replays():
    created = dispute("charge.dispute.created", "needs_response")
    lost = dispute("charge.dispute.closed", "lost")
    opened = domain_events_for(created, effects_for(created, find_user=owner))
    closed = domain_events_for(lost, effects_for(lost, find_user=owner))
    assert [e.type for e in opened] == ["dispute.opened"]
    assert [e.type for e in closed] == ["dispute.opened", "dispute.closed"]
    assert opened[0].id == closed[0].id  # the same hold, announced twice, deduplicated by consumers
    assert domain_events_for(lost, effects_for(lost, find_user=owner))[1].id == closed[1].id


def test_disputes_on_payments_that_are_not_ours_change_nothing():
    foreign = dispute("charge.dispute.created", "needs_response")
    foreign["data"]["object"]["payment_intent"] = "pi_someone_elses"
    assert effects_for(foreign, find_user=owner) == []
