"""The payments worker against the emulator: each effect once, whatever the order or repetition;
refunds never take a wallet below zero; failures are reported per message, not per batch."""

from __future__ import annotations

import random
import uuid

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from eckospace.payments import ledger
from tests.integration.conftest import Context, load_function, sqs_event

EUR = "eur"


@pytest.fixture
def worker(function_env):
    function_env("PaymentsWorkerFunction")
    return load_function("payments_worker").lambda_handler


def succeeded(user: str, amount: int, intent: str | None = None) -> dict:
    intent = intent or f"pi_{uuid.uuid4().hex[:12]}"
    return {"id": f"evt_{uuid.uuid4().hex[:12]}", "type": "payment_intent.succeeded", "data": {"object": {
        "id": intent, "amount": amount, "amount_received": amount, "currency": EUR,
        "metadata": {"eckospace_user_id": user}}}}


def checkout_paid(user: str, amount: int, intent: str) -> dict:
    return {"id": f"evt_{uuid.uuid4().hex[:12]}", "type": "checkout.session.completed", "data": {"object": {
        "id": f"cs_{uuid.uuid4().hex[:12]}", "payment_status": "paid", "payment_intent": intent,
        "amount_total": amount, "currency": EUR, "metadata": {"eckospace_user_id": user}}}}


def refunded(user: str, refunds: list[tuple[str, int]]) -> dict:
    return {"id": f"evt_{uuid.uuid4().hex[:12]}", "type": "charge.refunded", "data": {"object": {
        "id": f"ch_{uuid.uuid4().hex[:12]}", "currency": EUR, "metadata": {"eckospace_user_id": user},
        "refunds": {"data": [{"id": rid, "amount": amount, "status": "succeeded"} for rid, amount in refunds]}}}}


def wallet(user: str) -> int:
    return ledger.balance(ledger.wallet_account(user, EUR))[0]


def test_checkout_and_payment_intent_events_of_one_payment_credit_once(worker):
    user, intent = f"u-{uuid.uuid4().hex[:8]}", f"pi_{uuid.uuid4().hex[:12]}"
    batch = [checkout_paid(user, 900, intent), succeeded(user, 900, intent)] * 2
    random.Random(1).shuffle(batch)
    assert worker(sqs_event(*batch), Context()) == {"batchItemFailures": []}
    assert wallet(user) == 900


def test_refunds_debit_once_each_in_any_order_and_the_books_balance(worker):
    user = f"u-{uuid.uuid4().hex[:8]}"
    worker(sqs_event(succeeded(user, 1000)), Context())
    first, both = refunded(user, [("re_a", 300)]), refunded(user, [("re_a", 300), ("re_b", 200)])
    assert worker(sqs_event(both, first, both), Context()) == {"batchItemFailures": []}
    assert wallet(user) == 500
    items, _ = ledger.entries(ledger.wallet_account(user, EUR), limit=10)
    assert sorted(entry["amount"] for entry in items) == [-300, -200, 1000]
    assert sum(entry["amount"] for entry in items) == wallet(user)


def test_a_refund_larger_than_the_wallet_fails_only_its_message(worker):
    user = f"u-{uuid.uuid4().hex[:8]}"
    worker(sqs_event(succeeded(user, 100)), Context())
    other = f"u-{uuid.uuid4().hex[:8]}"
    answer = worker(sqs_event(refunded(user, [("re_big", 5000)]), succeeded(other, 700)), Context())
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m0"}]}  # retried, then dead-lettered
    assert wallet(user) == 100 and wallet(other) == 700


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
