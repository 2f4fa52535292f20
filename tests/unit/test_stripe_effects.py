"""Which ledger effects and domain events each Stripe event yields (no I/O: the owner of a payment
is given, as the worker reads it from its records or from Stripe). Events are shaped as Stripe's
current API reference has them (`tests.support.stripe_events`)."""

from __future__ import annotations

from eckospace.payments.stripe_effects import (
    domain_events_for,
    effects_for,
    refund_outcome,
)
from tests.support import stripe_events as stripe

PAYMENT = "pi_1"


def owner(payment_intent: str) -> str | None:
    return {PAYMENT: "u1"}.get(payment_intent)


def dispute_event(event_type: str, status: str, amount: int = 700, **funds: int) -> dict:
    return stripe.event(
        event_type,
        stripe.dispute(id="dp_1", amount=amount, currency="eur", status=status, payment_intent=PAYMENT, **funds),
    )


def announced(event: dict) -> list[tuple[str, dict]]:
    return [
        (fact.type, fact.data)
        for fact in domain_events_for(event, effects_for(event, find_user=owner), find_user=owner)
    ]


def test_an_inquiry_moves_no_money_and_is_announced_as_one():
    opened = dispute_event("charge.dispute.created", "warning_needs_response")
    closed = dispute_event("charge.dispute.closed", "warning_closed")
    assert effects_for(opened, find_user=owner) == [] and effects_for(closed, find_user=owner) == []
    assert announced(opened) == [
        (
            "dispute.opened",
            {"dispute": "dp_1", "status": "warning_needs_response", "inquiry": True, "amount": 700, "currency": "eur"},
        )
    ]
    assert announced(closed) == [("dispute.closed", {"dispute": "dp_1", "status": "warning_closed"})]


def test_a_chargeback_holds_when_funds_are_withdrawn_and_releases_when_they_are_reinstated():
    opened = dispute_event("charge.dispute.created", "needs_response")
    assert effects_for(opened, find_user=owner) == []  # Stripe has not moved the money yet
    assert announced(opened)[0][1]["inquiry"] is False
    withdrawn = dispute_event("charge.dispute.funds_withdrawn", "needs_response", withdrawn=700)
    assert [(e.id, e.kind, e.amount, e.may_go_negative) for e in effects_for(withdrawn, find_user=owner)] == [
        ("dispute_hold:dp_1", "dispute_hold", -700, True)
    ]
    assert announced(withdrawn) == [
        ("wallet.debited", {"amount": 700, "currency": "eur", "effect_id": "dispute_hold:dp_1"})
    ]
    # Reinstated before the withdrawal was seen: the hold comes first, each once (keyed by the dispute)
    reinstated = dispute_event("charge.dispute.funds_reinstated", "won", withdrawn=700, reinstated=700)
    assert [(e.id, e.amount) for e in effects_for(reinstated, find_user=owner)] == [
        ("dispute_hold:dp_1", -700),
        ("dispute_release:dp_1", 700),
    ]
    assert [kind for kind, _ in announced(reinstated)] == ["wallet.debited", "wallet.credited"]
    won = dispute_event("charge.dispute.closed", "won", withdrawn=700, reinstated=700)
    assert effects_for(won, find_user=owner) == []
    assert announced(won) == [("dispute.closed", {"dispute": "dp_1", "status": "won"})]


def test_a_lost_dispute_keeps_its_hold():
    lost = dispute_event("charge.dispute.closed", "lost", withdrawn=700)
    assert effects_for(lost, find_user=owner) == []  # the hold came with the funds, and stays
    assert announced(lost) == [("dispute.closed", {"dispute": "dp_1", "status": "lost"})]


def test_a_partially_won_dispute_gives_back_only_what_stripe_reinstated():
    # A full-amount dispute on a partially refunded payment: lost, but the refunded part comes back.
    reinstated = dispute_event("charge.dispute.funds_reinstated", "lost", amount=1000, withdrawn=1000, reinstated=300)
    assert [(e.id, e.amount) for e in effects_for(reinstated, find_user=owner)] == [
        ("dispute_hold:dp_1", -1000),
        ("dispute_release:dp_1", 300),
    ]


def test_dispute_announcements_keep_their_ids_across_replays():
    withdrawn = dispute_event("charge.dispute.funds_withdrawn", "needs_response", withdrawn=700)
    reinstated = dispute_event("charge.dispute.funds_reinstated", "won", withdrawn=700, reinstated=700)
    first = domain_events_for(withdrawn, effects_for(withdrawn, find_user=owner), find_user=owner)
    later = domain_events_for(reinstated, effects_for(reinstated, find_user=owner), find_user=owner)
    assert first[0].id == later[0].id  # the same hold, announced twice, deduplicated by consumers
    opened = dispute_event("charge.dispute.created", "needs_response")
    closed = dispute_event("charge.dispute.closed", "won")
    ids = {
        fact.id
        for event in (opened, closed, withdrawn, reinstated)
        for fact in domain_events_for(event, effects_for(event, find_user=owner), find_user=owner)
    }
    assert len(ids) == 4  # opened, closed, held, released: each its own id
    assert domain_events_for(opened, [], find_user=owner)[0].id == domain_events_for(opened, [], find_user=owner)[0].id


def test_disputes_on_payments_that_are_not_ours_change_nothing():
    for event_type in ("charge.dispute.created", "charge.dispute.funds_withdrawn", "charge.dispute.closed"):
        foreign = dispute_event(event_type, "needs_response", withdrawn=700)
        foreign["data"]["object"]["payment_intent"] = "pi_someone_elses"
        assert effects_for(foreign, find_user=owner) == []
        assert domain_events_for(foreign, [], find_user=owner) == []


def test_refund_statuses_debit_while_the_money_is_out_and_give_back_when_it_returns():
    assert {
        status: refund_outcome(status)
        for status in ("pending", "requires_action", "succeeded", "failed", "canceled", None)
    } == {
        "pending": "debit",
        "requires_action": "debit",
        "succeeded": "debit",
        "failed": "give_back",
        "canceled": "give_back",
        None: None,
    }


def test_refund_events_yield_no_fixed_effects():
    """Refunds depend on what the ledger already holds: the worker settles them (see
    tests/integration/test_payments_worker.py), never from a Charge's embedded list."""
    refunded = stripe.charge(amount=1000, payment_intent=PAYMENT, amount_refunded=1000, user="u1")
    refunded["refunds"] = {
        "object": "list",
        "data": [stripe.refund(amount=1000, payment_intent=PAYMENT)],
        "has_more": False,
    }
    assert effects_for(stripe.event("charge.refunded", refunded), find_user=owner) == []


def test_every_announcement_matches_its_published_payload_schema():
    """What the payments worker announces is what the webhook catalogue (and so the OpenAPI
    document's `webhooks` section) says an endpoint receives: every key, its type, nothing more."""
    from jsonschema import Draft202012Validator

    from eckospace.webhooks import catalogue

    facts = [
        fact
        for event in (
            stripe.event("payment_intent.succeeded", stripe.payment_intent(amount=1500, user="u1", id=PAYMENT)),
            stripe.event(
                "payment_intent.payment_failed",
                stripe.payment_intent(amount=1500, user="u1", id=PAYMENT, status="requires_payment_method"),
            ),
            dispute_event("charge.dispute.created", "needs_response"),
            dispute_event("charge.dispute.funds_reinstated", "won", withdrawn=700, reinstated=700),
            dispute_event("charge.dispute.closed", "won", withdrawn=700, reinstated=700),
        )
        for fact in domain_events_for(event, effects_for(event, find_user=owner), find_user=owner)
    ]
    assert {fact.type for fact in facts} == {
        "payment.succeeded",
        "wallet.credited",
        "payment.failed",
        "dispute.opened",
        "wallet.debited",
        "dispute.closed",
    }
    for fact in facts:
        schema = catalogue.payload_schema(catalogue.CATALOGUE[fact.type])["properties"]["data"]
        errors = [error.message for error in Draft202012Validator(schema).iter_errors(fact.data)]
        assert not errors, (fact.type, fact.data, errors)
