"""The webhook dispatcher's fan-out cost: backend calls and CPU per domain event for 1, 10 and 100
subscribed endpoints, and for a duplicate of an event already fanned out.

Per new event the dispatcher reads the subscriptions (one query per page), claims the event (one
conditional write), reads whether the subscribers' integrations are enabled and still allowed the
event's scope (one batch read per 100 owners), writes the deliveries in batches of 25, queues them
in batches of 10 and marks the event done: 4 + ceil(n/25) + ceil(n/10) calls, where one conditional
write and one send per endpoint would take 2n + 1. Runs in a child process with the dispatcher's sandbox environment
against the seeded emulator; CPU is the child's own (the emulator's work is not counted).
"""

from __future__ import annotations

import json
import math
import time
import uuid
from typing import Any

from bench.common import Backend, child_main, lambda_context, load_handler, median, row, run_child, with_bench_on_path

FUNCTION = "WebhooksDispatcherFunction"
FAN_OUTS = (1, 10, 100)
# A distinct event type per fan-out, so each measurement sees exactly its own subscribers.
EVENT_TYPES = {1: "payment.succeeded", 10: "payment.failed", 100: "wallet.credited"}
ROUNDS = 5
OWNERS = 7  # the integrations the endpoints belong to


def expected_calls(endpoints: int) -> int:
    return 4 + math.ceil(endpoints / 25) + math.ceil(endpoints / 10)


def run(backend: Backend, *, rounds: int = ROUNDS) -> dict[str, Any]:
    spec = backend.functions()[FUNCTION]
    result = run_child(
        "bench.webhook_fanout", {"rounds": rounds}, with_bench_on_path(backend.sandbox_env(spec)), cwd=spec.code_dir
    )
    rows = []
    for n in FAN_OUTS:
        found = result["fan_out"][str(n)]
        rows.append(
            row(
                "webhook fan-out, backend calls per event",
                f"{FUNCTION}, {n} endpoint(s)",
                found["calls_per_event"],
                "calls",
                peer="one conditional write and one send per endpoint",
                peer_value=2 * n + 1,
                budget=f"<= {expected_calls(n)}",
                passed=found["calls_per_event"] <= expected_calls(n),
                with_ratio=False,
            )
        )
        rows.append(
            row(
                "webhook fan-out, CPU per event",
                f"{FUNCTION}, {n} endpoint(s)",
                found["cpu_us_per_event"],
                "us",
                budget="info",
            )
        )
    duplicate = result["duplicate"]
    rows.append(
        row(
            "webhook fan-out, backend calls per duplicate event",
            f"{FUNCTION}, 100 endpoints",
            duplicate["calls_per_event"],
            "calls",
            peer="subscriptions, claim refused, marker read",
            peer_value=3,
            budget="<= 3",
            passed=duplicate["calls_per_event"] <= 3,
            with_ratio=False,
        )
    )
    result["rows"] = rows
    return result


def _sqs_event(envelope: dict[str, Any]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": envelope["id"],
                "receiptHandle": "r",
                "body": json.dumps(envelope),
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "awsRegion": "us-east-1",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:domain-events",
            }
        ]
    }


def _envelope(event_type: str) -> dict[str, Any]:
    return {
        "id": f"evt_{uuid.uuid4().hex}",
        "type": event_type,
        "created": int(time.time()),
        "subject": "bench",
        "data": {"amount": 1500, "currency": "eur"},
    }


def _measure(request: dict[str, Any]) -> dict[str, Any]:
    from eckospace import aws
    from eckospace.identity import integrations
    from eckospace.webhooks import store

    now = int(time.time())
    for owner in range(OWNERS):
        # First-party: wallet and payment events reach no other kind of integration.
        integrations.register(
            name=f"bench {owner}",
            allowed_scopes={"payments:read", "wallet:read"},
            default_scopes=set(),
            tier="standard",
            api_key_id=None,
            client_id=f"ekc_bench{owner}",
            first_party=True,
        )
    for n, event_type in EVENT_TYPES.items():
        for i in range(n):
            store.save_endpoint(
                None,
                store.Endpoint(
                    endpoint_id=f"ep_bench{n:03d}x{i:03d}",
                    owner=f"ekc_bench{i % OWNERS}",
                    url="https://hooks.example.com/in",
                    event_types=(event_type,),
                    created=now,
                    updated=now,
                    version=1,
                ),
            )
    handler = load_handler()
    handler(_sqs_event(_envelope("dispute.closed")), lambda_context())  # warm: clients made, modules loaded
    calls: list[str] = []
    queued: list[int] = []  # deliveries sent to the deliveries queue, per send

    def count_sent(params: dict[str, Any], **_: Any) -> None:  # the API's own parameters
        queued.append(len(params.get("Entries", [params])))

    for service in ("dynamodb", "sqs"):
        aws.client(service).meta.events.register("before-call.*.*", lambda model, **_: calls.append(model.name))
    for operation in ("SendMessage", "SendMessageBatch"):
        aws.client("sqs").meta.events.register(f"before-parameter-build.sqs.{operation}", count_sent)
    fan_out: dict[str, Any] = {}
    last: dict[str, Any] = {}
    for n, event_type in EVENT_TYPES.items():
        cpu, counts = [], []
        for _ in range(request["rounds"]):
            last = _envelope(event_type)
            before, sent_before = len(calls), sum(queued)
            started = time.process_time()
            answer = handler(_sqs_event(last), lambda_context())
            cpu.append((time.process_time() - started) * 1e6)
            counts.append(len(calls) - before)
            if answer.get("batchItemFailures"):
                raise RuntimeError(f"dispatch failed: {answer}")
            if sum(queued) - sent_before != n:  # a fan-out that delivers to nobody measures nothing
                raise RuntimeError(f"{event_type} to {n} endpoint(s) queued {sum(queued) - sent_before} deliveries")
        fan_out[str(n)] = {
            "calls_per_event": median(counts),
            "cpu_us_per_event": round(median(cpu), 1),
            "calls_seen": sorted(set(calls)),
        }
    before = len(calls)
    started = time.process_time()
    handler(_sqs_event(last), lambda_context())
    duplicate = {
        "calls_per_event": len(calls) - before,
        "cpu_us_per_event": round((time.process_time() - started) * 1e6, 1),
    }
    return {"fan_out": fan_out, "duplicate": duplicate}


if __name__ == "__main__":
    child_main(_measure)
