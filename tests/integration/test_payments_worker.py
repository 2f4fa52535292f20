"""The payments worker against the emulator: each effect once, whatever the order or repetition;
refunds settled by their status and never beyond what was paid, nor below a wallet's zero; dispute
funds held and given back as Stripe moves them, inquiries moving nothing; failures are reported
per message, not per batch.

Events are shaped as Stripe's current API reference has them (`tests.support.stripe_events`).
What the worker asks Stripe (whose payment is it, a charge's refunds) goes to localstripe, with
real PaymentIntents, charges and refunds made there; domain events go to a queue of the test's own.
"""

from __future__ import annotations

import json
import os
import random
import uuid
from collections.abc import Iterator

import pytest
import stripe as stripe_library
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from eckolocal.stack import LocalStripe, free_port
from eckospace import aws
from eckospace.payments import ledger, topups
from tests.integration.conftest import load_function, sqs_event
from tests.support import stripe_events as stripe
from tests.support.lambda_proxy import Context

EUR = "eur"
STRIPE_KEY = "sk_test_eckospace_worker"


@pytest.fixture(scope="module")
def stripe_emulator(tmp_path_factory) -> Iterator[str]:
    emulator = LocalStripe(free_port())
    emulator.start(tmp_path_factory.mktemp("localstripe") / "localstripe.log")
    try:
        yield emulator.url
    finally:
        emulator.stop()


@pytest.fixture
def worker(function_env, monkeypatch, stripe_emulator):
    function_env("PaymentsWorkerFunction")
    monkeypatch.setenv("ECKO_STRIPE_API_BASE", stripe_emulator)
    aws.client("secretsmanager").put_secret_value(
        SecretId=os.environ["ECKO_STRIPE_API_KEY_SECRET"], SecretString=STRIPE_KEY
    )
    topups._secret_provider.cache_clear()
    # a topic of its own, its events delivered (raw) to a queue of its own: nothing else reads them
    name = f"worker-facts-{uuid.uuid4().hex[:12]}"
    sqs, sns = aws.client("sqs"), aws.client("sns")
    queue = sqs.create_queue(QueueName=name)["QueueUrl"]
    topic = sns.create_topic(Name=name)["TopicArn"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    monkeypatch.setenv("ECKO_DOMAIN_EVENTS_TOPIC", topic)
    monkeypatch.setenv("WORKER_FACTS_QUEUE", queue)
    yield load_function("payments_worker").lambda_handler
    topups._secret_provider.cache_clear()


@pytest.fixture
def stripe_api(stripe_emulator) -> stripe_library.StripeClient:
    return stripe_library.StripeClient(STRIPE_KEY, base_addresses={"api": stripe_emulator})


def announced(subject: str) -> list[tuple[str, dict]]:
    """The domain events the worker published about `subject`, in order, once each (by id)."""
    sqs, queue, seen, facts = aws.client("sqs"), os.environ["WORKER_FACTS_QUEUE"], set(), []
    while messages := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            fact = json.loads(message["Body"])
            if fact["subject"] == subject and fact["id"] not in seen:
                seen.add(fact["id"])
                facts.append((fact["type"], fact["data"]))
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    return facts


def succeeded(user: str, amount: int, intent: str | None = None) -> dict:
    return stripe.event(
        "payment_intent.succeeded", stripe.payment_intent(amount=amount, currency=EUR, user=user, id=intent)
    )


def checkout_paid(user: str, amount: int, intent: str) -> dict:
    return {
        "id": f"evt_{uuid.uuid4().hex[:12]}",
        "type": "checkout.session.completed",
        "data": {
            "object": {
                "id": f"cs_{uuid.uuid4().hex[:12]}",
                "payment_status": "paid",
                "payment_intent": intent,
                "amount_total": amount,
                "currency": EUR,
                "metadata": {"eckospace_user_id": user},
            }
        },
    }


def refund_event(event_type: str, refund: dict, status: str, *, was: str | None = None) -> dict:
    """`refund` as Stripe describes it in an event: its status now, and for an update the one before."""
    return stripe.event(event_type, {**refund, "status": status}, previous_attributes={"status": was} if was else None)


def wallet(user: str) -> int:
    return ledger.balance(ledger.wallet_account(user, EUR))[0]


def entries(user: str) -> list[tuple[str, int]]:
    items, _ = ledger.entries(ledger.wallet_account(user, EUR), limit=50)
    return sorted((entry["effect_id"].split(":")[0], entry["amount"]) for entry in items)


def topped_up(worker, amount: int) -> tuple[str, str]:
    """A user and the payment intent of a top-up credited to their wallet."""
    user, intent = f"u-{uuid.uuid4().hex[:8]}", stripe.new_id("pi")
    assert worker(sqs_event(succeeded(user, amount, intent)), Context()) == {"batchItemFailures": []}
    return user, intent


def test_checkout_and_payment_intent_events_of_one_payment_credit_once(worker):
    user, intent = f"u-{uuid.uuid4().hex[:8]}", f"pi_{uuid.uuid4().hex[:12]}"
    batch = [checkout_paid(user, 900, intent), succeeded(user, 900, intent)] * 2
    random.Random(1).shuffle(batch)
    assert worker(sqs_event(*batch), Context()) == {"batchItemFailures": []}
    assert wallet(user) == 900


def test_a_full_refund_delivered_twice_debits_the_payment_once(worker):
    user, intent = topped_up(worker, 1000)
    refund = stripe.refund(amount=1000, payment_intent=intent)
    created = refund_event("refund.created", refund, "succeeded")
    assert worker(sqs_event(created, created), Context()) == {"batchItemFailures": []}
    assert worker(sqs_event(created), Context()) == {"batchItemFailures": []}  # Stripe delivers it again
    assert wallet(user) == 0
    assert entries(user) == [("refund", -1000), ("topup", 1000)]
    assert announced(user) == [
        ("wallet.credited", {"amount": 1000, "currency": EUR, "effect_id": f"topup:{intent}"}),
        ("payment.succeeded", {"payment_intent": intent, "amount": 1000, "currency": EUR}),
        ("wallet.debited", {"amount": 1000, "currency": EUR, "effect_id": f"refund:{refund['id']}"}),
    ]


def test_partial_refunds_add_up_and_never_take_back_more_than_was_paid(worker):
    user, intent = topped_up(worker, 1000)
    other_intent = stripe.new_id("pi")
    worker(sqs_event(succeeded(user, 2000, other_intent)), Context())  # money the refunds must not reach
    first, second = (stripe.refund(amount=amount, payment_intent=intent) for amount in (300, 200))
    batch = [
        refund_event("refund.created", first, "pending"),
        refund_event("refund.created", second, "succeeded"),
        refund_event("refund.updated", first, "succeeded", was="pending"),
    ]
    assert worker(sqs_event(*batch), Context()) == {"batchItemFailures": []}
    assert wallet(user) == 2500
    beyond = stripe.refund(amount=900, payment_intent=intent)  # more than the 500 left of that payment
    answer = worker(sqs_event(refund_event("refund.created", beyond, "succeeded")), Context())
    assert answer == {"batchItemFailures": []}
    assert wallet(user) == 2000  # only the 500 left: the other top-up is untouched
    assert entries(user) == [("refund", -500), ("refund", -300), ("refund", -200), ("topup", 1000), ("topup", 2000)]
    assert ledger.record(f"topup:{intent}")["drawn"] == 1000


def test_refunds_settled_at_once_never_take_back_more_than_was_paid(worker):
    from concurrent.futures import ThreadPoolExecutor

    from eckospace.payments import settlement

    user, intent = topped_up(worker, 1000)
    worker(sqs_event(succeeded(user, 5000)), Context())
    events = [
        refund_event("refund.created", stripe.refund(amount=600, payment_intent=intent), "succeeded") for _ in range(4)
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:  # four deliveries applied by four workers at once
        list(pool.map(settlement.apply_event, events))
    assert wallet(user) == 5000  # 600 and 400 of the first payment, not 2400; the other one untouched
    assert sorted(amount for kind, amount in entries(user) if kind == "refund") == [-600, -400]
    assert ledger.record(f"topup:{intent}")["drawn"] == 1000


def test_a_draw_computed_against_a_stale_read_is_refused(worker):
    user, intent = topped_up(worker, 1000)
    worker(sqs_event(succeeded(user, 5000)), Context())  # the wallet could pay; the payment could not
    refund = stripe.refund(amount=600, payment_intent=intent)
    worker(sqs_event(refund_event("refund.created", refund, "succeeded")), Context())
    stale = ledger.Effect(
        "refund:re_stale", "refund", user, -600, EUR, "stripe", draws_on=f"topup:{intent}", draw_limit=400
    )  # computed when nothing had been drawn yet
    with pytest.raises(ledger.DrawRefused):
        ledger.apply(stale)
    assert wallet(user) == 5400 and ledger.record("refund:re_stale") is None


def test_an_update_delivered_before_its_creation_debits_once(worker):
    user, intent = topped_up(worker, 800)
    refund = stripe.refund(amount=800, payment_intent=intent)
    updated = refund_event("refund.updated", refund, "succeeded", was="pending")
    created = refund_event("refund.created", refund, "pending")
    assert worker(sqs_event(updated, created), Context()) == {"batchItemFailures": []}
    assert wallet(user) == 0 and entries(user) == [("refund", -800), ("topup", 800)]


@pytest.mark.parametrize("ending", ["failed", "canceled"])
def test_a_refund_that_fails_after_it_was_pending_gives_the_money_back(worker, ending):
    user, intent = topped_up(worker, 1000)
    refund = stripe.refund(amount=600, payment_intent=intent)
    assert worker(sqs_event(refund_event("refund.created", refund, "pending")), Context()) == {"batchItemFailures": []}
    assert wallet(user) == 400
    ended = [refund_event("refund.updated", refund, ending, was="pending")]
    if ending == "failed":
        ended.append(refund_event("refund.failed", refund, "failed", was="pending"))
    assert worker(sqs_event(*ended, *ended), Context()) == {"batchItemFailures": []}
    assert wallet(user) == 1000
    assert entries(user) == [("refund", -600), ("refund_reversal", 600), ("topup", 1000)]
    assert announced(user)[-2:] == [
        ("wallet.debited", {"amount": 600, "currency": EUR, "effect_id": f"refund:{refund['id']}"}),
        ("wallet.credited", {"amount": 600, "currency": EUR, "effect_id": f"refund_reversal:{refund['id']}"}),
    ]
    # What it drew on is free again: the whole payment can still be refunded.
    full = stripe.refund(amount=1000, payment_intent=intent)
    assert worker(sqs_event(refund_event("refund.created", full, "succeeded")), Context()) == {"batchItemFailures": []}
    assert wallet(user) == 0


def test_a_refund_whose_failure_arrives_first_is_never_debited(worker):
    user, intent = topped_up(worker, 1000)
    refund = stripe.refund(amount=1000, payment_intent=intent)
    batch = [
        refund_event("refund.failed", refund, "failed", was="pending"),
        refund_event("refund.created", refund, "pending"),
    ]
    assert worker(sqs_event(*batch), Context()) == {"batchItemFailures": []}
    assert wallet(user) == 1000 and entries(user) == [("topup", 1000)]
    assert [kind for kind, _ in announced(user)] == ["wallet.credited", "payment.succeeded"]  # the top-up only


def _paid_at_stripe(stripe_api, amount: int, user: str | None) -> tuple[str, str]:
    """A card payment made at the Stripe emulator: its payment intent and charge."""
    method = stripe_api.v1.payment_methods.create(
        params={"type": "card", "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"}}
    )
    intent = stripe_api.v1.payment_intents.create(
        params={
            "amount": amount,
            "currency": EUR,
            "payment_method_types": ["card"],
            "payment_method": method.id,
            "metadata": {"eckospace_user_id": user} if user else {},
        }
    )
    confirmed = stripe_api.v1.payment_intents.confirm(intent.id).to_dict()
    assert confirmed["status"] == "succeeded"
    charge = confirmed["latest_charge"]
    return intent.id, charge["id"] if isinstance(charge, dict) else charge


def test_a_charge_refunded_without_its_refunds_lists_them_from_stripe(worker, stripe_api):
    user = f"u-{uuid.uuid4().hex[:8]}"
    intent, charge_id = _paid_at_stripe(stripe_api, 1000, user)
    worker(sqs_event(succeeded(user, 1000, intent)), Context())
    made = [
        stripe_api.v1.refunds.create(params={"payment_intent": intent, "amount": amount}).to_dict()
        for amount in (300, 250)
    ]
    refunded = stripe.event(
        "charge.refunded",
        stripe.charge(id=charge_id, amount=1000, payment_intent=intent, amount_refunded=550, user=user),
    )
    assert "refunds" not in refunded["data"]["object"]
    assert worker(sqs_event(refunded, refunded), Context()) == {"batchItemFailures": []}
    assert wallet(user) == 450
    # The same refunds' own events change nothing more.
    own = [
        refund_event(
            "refund.created",
            stripe.refund(id=r["id"], amount=r["amount"], payment_intent=intent, charge=charge_id),
            "succeeded",
        )
        for r in made
    ]
    assert worker(sqs_event(*own), Context()) == {"batchItemFailures": []}
    assert wallet(user) == 450
    assert sorted(e for e in entries(user) if e[0] == "refund") == [("refund", -300), ("refund", -250)]


def test_a_refund_that_names_only_its_charge_finds_its_payment_at_stripe(worker, stripe_api):
    user = f"u-{uuid.uuid4().hex[:8]}"
    intent, charge_id = _paid_at_stripe(stripe_api, 700, user)
    worker(sqs_event(succeeded(user, 700, intent)), Context())
    refund = stripe.refund(amount=700, payment_intent=None, charge=charge_id)
    answer = worker(sqs_event(refund_event("refund.created", refund, "succeeded")), Context())
    assert answer == {"batchItemFailures": []}
    assert wallet(user) == 0


def test_refunds_of_payments_that_are_not_ours_change_nothing(worker, stripe_api):
    intent, charge_id = _paid_at_stripe(stripe_api, 900, None)  # not a top-up: no user in its metadata
    refund = stripe.refund(amount=900, payment_intent=intent, charge=charge_id)
    batch = [
        refund_event("refund.created", refund, "succeeded"),
        refund_event("refund.failed", refund, "failed"),
        stripe.event(
            "charge.refunded", stripe.charge(id=charge_id, amount=900, payment_intent=intent, amount_refunded=900)
        ),
    ]
    assert worker(sqs_event(*batch), Context()) == {"batchItemFailures": []}
    assert ledger.record(f"refund:{refund['id']}") is None


def test_a_refund_of_a_top_up_not_credited_yet_waits_for_it(worker, stripe_api):
    user = f"u-{uuid.uuid4().hex[:8]}"
    intent, charge_id = _paid_at_stripe(stripe_api, 1200, user)
    created = refund_event(
        "refund.created", stripe.refund(amount=1200, payment_intent=intent, charge=charge_id), "succeeded"
    )
    with pytest.raises(BatchProcessingError):  # retried by the queue until the top-up is credited
        worker(sqs_event(created), Context())
    assert wallet(user) == 0
    assert worker(sqs_event(succeeded(user, 1200, intent), created), Context()) == {"batchItemFailures": []}
    assert wallet(user) == 0 and entries(user) == [("refund", -1200), ("topup", 1200)]


def test_a_refund_larger_than_the_wallet_fails_only_its_message(worker):
    user, intent = topped_up(worker, 500)
    dispute = stripe.dispute(amount=500, payment_intent=intent, status="needs_response", withdrawn=500)
    worker(sqs_event(stripe.event("charge.dispute.funds_withdrawn", dispute)), Context())  # the wallet is empty
    other = f"u-{uuid.uuid4().hex[:8]}"
    refund = stripe.refund(amount=300, payment_intent=intent)
    answer = worker(sqs_event(refund_event("refund.created", refund, "succeeded"), succeeded(other, 700)), Context())
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m0"}]}  # retried, then dead-lettered
    assert wallet(user) == 0 and wallet(other) == 700
    assert ledger.record(f"refund:{refund['id']}") is None and ledger.record(f"topup:{intent}")["drawn"] == 0


def test_a_poison_message_fails_alone(worker):
    user = f"u-{uuid.uuid4().hex[:8]}"
    event = sqs_event(succeeded(user, 250))
    event["Records"].append({**event["Records"][0], "messageId": "poison", "body": "{not json"})
    assert worker(event, Context()) == {"batchItemFailures": [{"itemIdentifier": "poison"}]}
    assert wallet(user) == 250


def test_events_that_are_not_our_top_ups_change_nothing(worker):
    foreign = succeeded("x", 100)
    foreign["data"]["object"]["metadata"] = {}
    assert worker(sqs_event(foreign), Context()) == {"batchItemFailures": []}
    assert not ledger.is_applied(f"topup:{foreign['data']['object']['id']}")


def test_a_transaction_that_fails_once_is_retried_and_applied_once(worker, monkeypatch):
    user = f"u-{uuid.uuid4().hex[:8]}"
    real_apply, calls = ledger.apply, []

    def flaky_apply(effect):
        calls.append(effect.id)
        if len(calls) == 1:
            raise RuntimeError("TransactionConflict")  # what a contended transaction looks like to us
        return real_apply(effect)

    monkeypatch.setattr(ledger, "apply", flaky_apply)
    event = sqs_event(succeeded(user, 640))
    with pytest.raises(BatchProcessingError):  # every record of the batch failed: the whole batch returns
        worker(event, Context())
    assert wallet(user) == 0
    assert worker(event, Context()) == {"batchItemFailures": []}  # SQS delivers it again
    assert worker(event, Context()) == {"batchItemFailures": []}  # and once more, as a duplicate
    assert wallet(user) == 640


def dispute_events(intent: str, amount: int, *steps: tuple[str, str, dict]) -> list[dict]:
    """One dispute's events: (event type, status, funds moved so far) each."""
    dispute_id = stripe.new_id("dp")
    return [
        stripe.event(
            event_type, stripe.dispute(id=dispute_id, amount=amount, payment_intent=intent, status=status, **funds)
        )
        for event_type, status, funds in steps
    ]


def test_an_inquiry_that_closes_moves_no_money(worker):
    user, intent = topped_up(worker, 1500)
    events = dispute_events(
        intent,
        1500,
        ("charge.dispute.created", "warning_needs_response", {}),
        ("charge.dispute.updated", "warning_under_review", {}),
        ("charge.dispute.closed", "warning_closed", {}),
    )
    assert worker(sqs_event(*events), Context()) == {"batchItemFailures": []}
    assert wallet(user) == 1500 and entries(user) == [("topup", 1500)]
    dispute_id = events[0]["data"]["object"]["id"]
    assert announced(user)[2:] == [
        (
            "dispute.opened",
            {
                "dispute": dispute_id,
                "status": "warning_needs_response",
                "inquiry": True,
                "amount": 1500,
                "currency": EUR,
            },
        ),
        ("dispute.closed", {"dispute": dispute_id, "status": "warning_closed"}),
    ]


def test_dispute_funds_withdrawn_are_held_and_reinstated_funds_given_back(worker):
    user, intent = topped_up(worker, 2000)
    events = dispute_events(
        intent,
        1500,
        ("charge.dispute.created", "needs_response", {}),
        ("charge.dispute.funds_withdrawn", "needs_response", {"withdrawn": 1500}),
        ("charge.dispute.closed", "won", {"withdrawn": 1500, "reinstated": 1500}),
        ("charge.dispute.funds_reinstated", "won", {"withdrawn": 1500, "reinstated": 1500}),
    )
    assert worker(sqs_event(*events[:2]), Context()) == {"batchItemFailures": []}
    assert wallet(user) == 500
    assert worker(sqs_event(*events[2:], *events), Context()) == {"batchItemFailures": []}  # and all again
    assert wallet(user) == 2000
    assert entries(user) == [("dispute_hold", -1500), ("dispute_release", 1500), ("topup", 2000)]
    assert [kind for kind, _ in announced(user)[2:]] == [
        "dispute.opened",
        "wallet.debited",
        "dispute.closed",
        "wallet.credited",
    ]


def test_reinstated_funds_seen_before_their_withdrawal_are_held_and_released_once(worker):
    user, intent = topped_up(worker, 1000)
    withdrawn, reinstated = dispute_events(
        intent,
        1000,
        ("charge.dispute.funds_withdrawn", "needs_response", {"withdrawn": 1000}),
        ("charge.dispute.funds_reinstated", "won", {"withdrawn": 1000, "reinstated": 1000}),
    )
    assert worker(sqs_event(reinstated, withdrawn, reinstated), Context()) == {"batchItemFailures": []}
    assert wallet(user) == 1000
    assert entries(user) == [("dispute_hold", -1000), ("dispute_release", 1000), ("topup", 1000)]


def test_a_lost_dispute_keeps_its_hold_and_may_take_the_wallet_below_zero(worker):
    user, intent = topped_up(worker, 1000)
    events = dispute_events(
        intent,
        2500,
        ("charge.dispute.closed", "lost", {"withdrawn": 2500}),  # out of order
        ("charge.dispute.created", "needs_response", {}),
        ("charge.dispute.funds_withdrawn", "needs_response", {"withdrawn": 2500}),
    )
    assert worker(sqs_event(*events, *events), Context()) == {"batchItemFailures": []}
    assert wallet(user) == -1500
    assert entries(user) == [("dispute_hold", -2500), ("topup", 1000)]
    assert [kind for kind, _ in announced(user)[2:]] == ["dispute.closed", "dispute.opened", "wallet.debited"]
