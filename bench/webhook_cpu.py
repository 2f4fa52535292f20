"""Warm CPU per Stripe delivery: our webhook function (verify, record once, queue) on distinct
deliveries, beside `stripe.Webhook.construct_event` alone (signature check and parse) on the same
payloads; and the backend calls each delivery makes. Signing happens before the clock starts.

Runs in a child process with the webhook's sandbox environment, against the seeded emulator.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from bench.common import (
    Backend,
    child_main,
    lambda_context,
    load_handler,
    median,
    row,
    run_child,
    stripe_delivery,
    with_bench_on_path,
)

FUNCTION = "PaymentsStripeWebhookFunction"
ROUNDS = 5
PER_ROUND = 60


def run(backend: Backend, *, rounds: int = ROUNDS, per_round: int = PER_ROUND) -> dict[str, Any]:
    spec = backend.functions()[FUNCTION]
    request = {
        "event": backend.sample_events()[FUNCTION],
        "secret": backend.stripe_webhook_secret,
        "rounds": rounds,
        "per_round": per_round,
    }
    result = run_child("bench.webhook_cpu", request, with_bench_on_path(backend.sandbox_env(spec)), cwd=spec.code_dir)
    us = result["median_us"]
    result["rows"] = [
        row(
            "warm CPU per delivery",
            FUNCTION,
            us["ours"],
            "us",
            peer="stripe.Webhook.construct_event alone",
            peer_value=us["construct_event"],
            budget="info",
        ),
        row(
            "backend calls per new delivery",
            FUNCTION,
            result["calls_per_delivery"],
            "calls",
            peer="one conditional write, one send, one status update",
            peer_value=3,
            budget="<= 3",
            passed=result["calls_per_delivery"] <= 3,
            with_ratio=False,
        ),
    ]
    return result


def _measure(request: dict[str, Any]) -> dict[str, Any]:
    import stripe

    from eckospace import aws

    handler = load_handler()
    secret = request["secret"]
    total = request["rounds"] * request["per_round"] + 1
    deliveries = []
    for n in range(total):
        body, signature = stripe_delivery(secret, event_id=f"evt_bench_{n:06d}_{time.time_ns()}")
        event = copy.deepcopy(request["event"])
        event["body"], event["headers"]["stripe-signature"] = body.decode(), signature
        event["multiValueHeaders"]["stripe-signature"] = [signature]
        deliveries.append((event, body, signature))
    handler(deliveries[0][0], lambda_context())  # warm: clients made, secrets cached
    calls: list[str] = []
    for service in ("dynamodb", "sqs"):
        aws.client(service).meta.events.register("before-call.*.*", lambda model, **_: calls.append(model.name))
    samples: dict[str, list[float]] = {"ours": [], "construct_event": []}
    index = 1
    for _ in range(request["rounds"]):
        block = deliveries[index : index + request["per_round"]]
        index += request["per_round"]
        started = time.process_time()
        for event, _, _ in block:
            handler(event, lambda_context())
        samples["ours"].append((time.process_time() - started) / len(block) * 1e6)
        started = time.process_time()
        for _, body, signature in block:
            stripe.Webhook.construct_event(body, signature, secret)
        samples["construct_event"].append((time.process_time() - started) / len(block) * 1e6)
    return {
        "median_us": {name: round(median(values), 1) for name, values in samples.items()},
        "calls_per_delivery": round(len(calls) / (total - 1), 2),
        "calls_seen": sorted(set(calls)),
    }


if __name__ == "__main__":
    child_main(_measure)
