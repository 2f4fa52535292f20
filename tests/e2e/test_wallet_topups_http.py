"""Top-ups end to end: our API creates a PaymentIntent at the Stripe emulator the local stack runs
(localstripe), the card payment is confirmed there, localstripe's signed `payment_intent.succeeded`
reaches our webhook, the worker credits the wallet, and GET /api/wallet shows it.

Refunds are made at the emulator too; it sends no refund or dispute events, so those are built as
Stripe's current API reference shapes them (`tests.support.stripe_events`, from the emulator's own
refunds where there are some) and signed with the stripe library."""

from __future__ import annotations

import time
import uuid

import pytest
import requests

from tests.support import openapi_contract, stripe_events
from tests.support.tokens import mint

TOP_UPS = "/api/wallet/top-ups"


@pytest.fixture
def user(keyring) -> tuple[str, str]:
    subject = f"user-{uuid.uuid4().hex[:8]}"
    return subject, mint(keyring, ["wallet:read", "wallet:write"], subject=subject)


def call(stack, api_key, token, method, path, **kwargs) -> requests.Response:
    headers = {"x-api-key": api_key, "Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
    return requests.request(method, stack.url(path), headers=headers, timeout=30, **kwargs)


def stripe_emulator(stack) -> tuple[str, tuple[str, str]]:
    return stack.credentials["stripe_api_base"], ("sk_test_eckospace_local", "")


def card_payment_method(stack) -> str:
    """What Stripe.js does in the browser first: turn the card into a payment method."""
    base, auth = stripe_emulator(stack)
    return requests.post(
        f"{base}/v1/payment_methods",
        auth=auth,
        timeout=30,
        data={
            "type": "card",
            "card[number]": "4242424242424242",
            "card[exp_month]": "12",
            "card[exp_year]": "2034",
            "card[cvc]": "123",
        },
    ).json()["id"]


def confirm(stack, payment_intent: str) -> None:
    """... and then: confirm the intent."""
    base, auth = stripe_emulator(stack)
    confirmed = requests.post(f"{base}/v1/payment_intents/{payment_intent}/confirm", auth=auth, timeout=30)
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "succeeded", confirmed.text


def balance(stack, api_key, token, currency: str = "eur") -> int:
    body = call(stack, api_key, token, "GET", "/api/wallet").json()
    return next(b["balance"] for b in body["balances"] if b["currency"] == currency)


def test_a_top_up_paid_at_stripe_credits_the_wallet_once(stack, api_key, user):
    _, token = user
    key = {"Idempotency-Key": uuid.uuid4().hex}
    body = {"amount": 2000, "currency": "eur", "payment_method": card_payment_method(stack)}
    created = call(stack, api_key, token, "POST", TOP_UPS, json=body, headers=key)
    assert created.status_code == 201, created.text
    top_up = openapi_contract.check("POST", TOP_UPS, 201, created.headers["Content-Type"], created.content)
    assert top_up["payment_intent"].startswith("pi_") and top_up["client_secret"]
    replay = call(stack, api_key, token, "POST", TOP_UPS, json=body, headers=key)
    assert replay.status_code == 201 and replay.json() == top_up  # the same top-up, not a second one
    assert balance(stack, api_key, token) == 0

    confirm(stack, top_up["payment_intent"])
    deadline = time.monotonic() + 30
    while balance(stack, api_key, token) != 2000:
        assert time.monotonic() < deadline, "the wallet was never credited"
        time.sleep(0.5)
    for path in ("/api/wallet", "/api/wallet/ledger"):
        answer = call(stack, api_key, token, "GET", path)
        shown = openapi_contract.check("GET", path, answer.status_code, answer.headers["Content-Type"], answer.content)
    assert [(e["kind"], e["amount"], e["effect_id"]) for e in shown["data"]] == [
        ("topup", 2000, f"topup:{top_up['payment_intent']}")
    ]


def test_the_same_key_with_another_body_is_refused(stack, api_key, user):
    _, token = user
    key = {"Idempotency-Key": uuid.uuid4().hex}
    assert (
        call(stack, api_key, token, "POST", TOP_UPS, json={"amount": 500, "currency": "eur"}, headers=key).status_code
        == 201
    )
    refused = call(stack, api_key, token, "POST", TOP_UPS, json={"amount": 50000, "currency": "eur"}, headers=key)
    assert refused.status_code == 422 and "Idempotency-Key" in refused.json()["detail"]
    openapi_contract.check("POST", TOP_UPS, 422, refused.headers["Content-Type"], refused.content)


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        ({"amount": 500, "currency": "eur"}, {}, 400),  # no Idempotency-Key
        ({"amount": 5, "currency": "eur"}, {"Idempotency-Key": "k-small"}, 400),
        ({"amount": 10**9, "currency": "eur"}, {"Idempotency-Key": "k-big"}, 400),
        ({"amount": 500, "currency": "xyz"}, {"Idempotency-Key": "k-currency"}, 400),
        ({"amount": "lots", "currency": "eur"}, {"Idempotency-Key": "k-type"}, 400),
        ({"amount": "500", "currency": "eur"}, {"Idempotency-Key": "k-string"}, 400),  # JSON types are kept
        ({"amount": True, "currency": "eur"}, {"Idempotency-Key": "k-bool"}, 400),
    ],
)
def test_bad_top_ups_are_400s(stack, api_key, user, body, headers, status):
    _, token = user
    assert call(stack, api_key, token, "POST", TOP_UPS, json=body, headers=headers).status_code == status


def test_a_payment_method_stripe_does_not_know_is_a_422(stack, api_key, user):
    _, token = user
    refused = call(
        stack,
        api_key,
        token,
        "POST",
        TOP_UPS,
        headers={"Idempotency-Key": uuid.uuid4().hex},
        json={"amount": 500, "currency": "eur", "payment_method": "pm_nobody_ever_made_this"},
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"] == [
        {"in": "body", "name": "payment_method", "detail": "is not a payment method Stripe knows"}
    ]
    openapi_contract.check("POST", TOP_UPS, 422, refused.headers["Content-Type"], refused.content)


def test_integrations_cannot_top_up_a_wallet(stack, api_key, keyring):
    token = mint(keyring, ["wallet:write"], token_use="client", client_id="ekc_0000000000000000")
    assert call(
        stack,
        api_key,
        token,
        "POST",
        TOP_UPS,
        json={"amount": 500, "currency": "eur"},
        headers={"Idempotency-Key": "k-client"},
    ).status_code in (401, 403)


def _topped_up(stack, api_key, token, amount: int) -> str:
    """A paid top-up; its payment intent id."""
    body = {"amount": amount, "currency": "eur", "payment_method": card_payment_method(stack)}
    top_up = call(
        stack, api_key, token, "POST", TOP_UPS, json=body, headers={"Idempotency-Key": uuid.uuid4().hex}
    ).json()
    confirm(stack, top_up["payment_intent"])
    _until(lambda: balance(stack, api_key, token) == amount)
    return top_up["payment_intent"]


def _until(condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the ledger never got there"
        time.sleep(0.4)


def _deliver(stack, event: dict) -> None:
    """`event` as Stripe sends it: pretty-printed, signed with the endpoint's secret."""
    payload = stripe_events.payload(event)
    signature = stripe_events.signature(payload, stack.credentials["stripe_webhook_secret"])
    answer = requests.post(
        stack.url("/payment/stripe/webhook"),
        data=payload.encode(),
        timeout=30,
        headers={"Content-Type": "application/json", "Stripe-Signature": signature},
    )
    assert answer.status_code == 200 and answer.json()["outcome"] == "queued", answer.text


def _ledger(stack, api_key, token) -> list[tuple[str, int]]:
    entries = call(stack, api_key, token, "GET", "/api/wallet/ledger", params={"limit": 100}).json()["data"]
    return sorted((entry["kind"], entry["amount"]) for entry in entries)


def _refund_at_stripe(stack, payment_intent: str, amount: int) -> dict:
    base, auth = stripe_emulator(stack)
    made = requests.post(
        f"{base}/v1/refunds", auth=auth, timeout=30, data={"payment_intent": payment_intent, "amount": str(amount)}
    )
    assert made.status_code == 200, made.text
    return made.json()


def test_refunds_made_at_stripe_debit_the_wallet_once_each(stack, api_key, user):
    _, token = user
    intent = _topped_up(stack, api_key, token, 2000)
    first = _refund_at_stripe(stack, intent, 500)
    # Stripe announces each refund with refund.created, carrying the Refund.
    _deliver(
        stack,
        stripe_events.event(
            "refund.created",
            stripe_events.refund(
                id=first["id"], amount=500, payment_intent=intent, charge=first["charge"], status="succeeded"
            ),
        ),
    )
    _until(lambda: balance(stack, api_key, token) == 1500)
    second = _refund_at_stripe(stack, intent, 700)
    # charge.refunded carries a Charge without its refunds: the worker lists them from Stripe.
    charge = stripe_events.charge(id=first["charge"], amount=2000, payment_intent=intent, amount_refunded=1200)
    _deliver(stack, stripe_events.event("charge.refunded", charge))
    _until(lambda: balance(stack, api_key, token) == 800)
    # The second refund's own event, and the first's updated, arrive after: nothing more is debited.
    _deliver(
        stack,
        stripe_events.event(
            "refund.created",
            stripe_events.refund(
                id=second["id"], amount=700, payment_intent=intent, charge=second["charge"], status="succeeded"
            ),
        ),
    )
    _deliver(
        stack,
        stripe_events.event(
            "refund.updated",
            stripe_events.refund(
                id=first["id"], amount=500, payment_intent=intent, charge=first["charge"], status="succeeded"
            ),
            previous_attributes={"status": "pending"},
        ),
    )
    time.sleep(2)
    assert balance(stack, api_key, token) == 800
    assert _ledger(stack, api_key, token) == [("refund", -700), ("refund", -500), ("topup", 2000)]


def test_a_failed_refund_gives_the_money_back(stack, api_key, user):
    _, token = user
    intent = _topped_up(stack, api_key, token, 1000)
    refund = stripe_events.refund(amount=1000, payment_intent=intent, status="pending")
    _deliver(stack, stripe_events.event("refund.created", refund))
    _until(lambda: balance(stack, api_key, token) == 0)
    _deliver(
        stack,
        stripe_events.event("refund.failed", {**refund, "status": "failed"}, previous_attributes={"status": "pending"}),
    )
    _until(lambda: balance(stack, api_key, token) == 1000)
    assert _ledger(stack, api_key, token) == [("refund", -1000), ("refund_reversal", 1000), ("topup", 1000)]


def _dispute(
    stack, event_type: str, payment_intent: str, dispute_id: str, amount: int, status: str, **funds: int
) -> None:
    _deliver(
        stack,
        stripe_events.event(
            event_type,
            stripe_events.dispute(id=dispute_id, amount=amount, payment_intent=payment_intent, status=status, **funds),
        ),
    )


def test_a_dispute_inquiry_that_closes_moves_no_money(stack, api_key, user):
    _, token = user
    intent = _topped_up(stack, api_key, token, 2000)
    inquiry = stripe_events.new_id("dp")
    _dispute(stack, "charge.dispute.created", intent, inquiry, 2000, "warning_needs_response")
    _dispute(stack, "charge.dispute.closed", intent, inquiry, 2000, "warning_closed")
    # A chargeback on the same payment afterwards, to know the worker got past the inquiry.
    chargeback = stripe_events.new_id("dp")
    _dispute(stack, "charge.dispute.funds_withdrawn", intent, chargeback, 300, "needs_response", withdrawn=300)
    _until(lambda: balance(stack, api_key, token) == 1700)
    time.sleep(2)
    assert balance(stack, api_key, token) == 1700
    assert _ledger(stack, api_key, token) == [("dispute_hold", -300), ("topup", 2000)]


def test_dispute_funds_withdrawn_are_held_until_stripe_reinstates_them(stack, api_key, user):
    _, token = user
    intent = _topped_up(stack, api_key, token, 2000)
    dispute = stripe_events.new_id("dp")
    _dispute(stack, "charge.dispute.created", intent, dispute, 1500, "needs_response")
    _dispute(stack, "charge.dispute.funds_withdrawn", intent, dispute, 1500, "needs_response", withdrawn=1500)
    _until(lambda: balance(stack, api_key, token) == 500)
    _dispute(stack, "charge.dispute.closed", intent, dispute, 1500, "won", withdrawn=1500, reinstated=1500)
    _dispute(stack, "charge.dispute.funds_reinstated", intent, dispute, 1500, "won", withdrawn=1500, reinstated=1500)
    _until(lambda: balance(stack, api_key, token) == 2000)
    assert _ledger(stack, api_key, token) == [("dispute_hold", -1500), ("dispute_release", 1500), ("topup", 2000)]


def test_a_lost_dispute_keeps_its_hold_once_and_may_go_negative(stack, api_key, user):
    _, token = user
    intent = _topped_up(stack, api_key, token, 1000)
    dispute = stripe_events.new_id("dp")
    _dispute(stack, "charge.dispute.closed", intent, dispute, 2500, "lost", withdrawn=2500)  # out of order
    _dispute(stack, "charge.dispute.funds_withdrawn", intent, dispute, 2500, "needs_response", withdrawn=2500)
    _until(lambda: balance(stack, api_key, token) == -1500)
    _dispute(stack, "charge.dispute.funds_withdrawn", intent, dispute, 2500, "needs_response", withdrawn=2500)
    time.sleep(2)
    assert balance(stack, api_key, token) == -1500  # the hold was applied once


def test_other_users_cannot_read_a_wallet_and_logs_hold_no_payment_secrets(stack, api_key, keyring, user):
    owner, token = user
    _topped_up(stack, api_key, token, 1200)
    stranger = mint(keyring, ["wallet:read"], subject=f"user-{uuid.uuid4().hex[:8]}")
    assert balance(stack, api_key, stranger) == 0
    ledger_page = call(stack, api_key, stranger, "GET", "/api/wallet/ledger").json()
    assert ledger_page == {"data": [], "next_cursor": None}
    log = stack.log()
    assert "4242424242424242" not in log and "sk_test_eckospace_local" not in log
    assert stack.credentials["stripe_webhook_secret"] not in log
    assert "v1=" not in log  # no Stripe-Signature header value
