"""Realtime on the local stack, measured with real clients: `CLIENTS` pusher-js connections (one
Node process, bench/realtime_clients.mjs) opened at `PER_SECOND`, each subscribed to one public
channel, then `EVENTS` events published with the official `pusher` Python library through the
signed events API, the fan-out queue and @connections.

Reported: connect to `pusher:connection_established` (pusher-js's `connected`), p50 and p99; how
many connections the stack held at once; publish to receipt over every client and event, p50 and
p99 (both ends read this machine's clock); the backend calls one fan-out to the whole channel
makes (counted in-process on the stack's own emulator and @connections); and cold init of the
connect and message functions (fresh Python, first invocation against the stack) beside the floor
(a fresh Python creating the clients their policies allow), as bench.cold_start measures others.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, median, patched_environ, percentile, row
from bench.throughput import Target, local_stack
from eckospace.realtime.fanout import SEND_THREADS

CLIENTS = 1000
PER_SECOND = 25  # new connections a second: about what the local emulator sustains (API Gateway: 500)
EVENTS = 20
EVENT_GAP_SECONDS = 2.0  # each publish on its own: the latency of one fan-out, not of a backlog
CHANNEL, EVENT = "bench-fanout", "tick"
COLD_ROUNDS = 7
LATENCY_TARGET_MS = 250.0  # p99 publish to receipt, locally
CONNECT_TARGET_MS = 1000.0  # p99 connect to connection_established, locally


class NodeClients:
    def __init__(self, config: dict[str, Any]) -> None:
        self.process = subprocess.Popen(
            ["node", str(Path(__file__).resolve().parent / "realtime_clients.mjs"), json.dumps(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def line(self, timeout: float) -> dict[str, Any]:
        found: list[str] = []
        reader = threading.Thread(target=lambda: found.append(self.process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if not found or not found[0]:
            raise RuntimeError(f"the realtime clients said nothing within {timeout:.0f} s")
        return json.loads(found[0])

    def report(self) -> dict[str, Any]:
        self.process.stdin.write("report\n")
        self.process.stdin.flush()
        return self.line(30)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def _stack_env(target: Target, logical_id: str) -> dict[str, str]:
    """A realtime function's sandbox environment, as the running stack's workers get it."""
    from eckolocal.template import Template
    from eckolocal.workers import sandbox_environment

    template = Template(ROOT / "template.yaml")
    template.set_att("RealtimeApi", "ApiEndpoint", f"ws://127.0.0.1:{target.port}")
    aws_env = {
        "AWS_ENDPOINT_URL": target.credentials["aws_endpoint_url"],
        "AWS_ENDPOINT_URL_LAMBDA": f"http://127.0.0.1:{target.port}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    return sandbox_environment(template.functions()[logical_id], aws_env)


def _fanout_cost(target: Target) -> dict[str, Any]:
    """What one delivery to the whole channel costs: its DynamoDB calls by operation, its
    PostToConnection sends, and how long it took."""
    from eckospace import aws
    from eckospace.config import forget_settings
    from eckospace.realtime import fanout

    calls: dict[str, int] = {}

    def count(model: Any, **_: Any) -> None:
        calls[model.name] = calls.get(model.name, 0) + 1

    with patched_environ(_stack_env(target, "RealtimeFanoutFunction")):
        aws.reset_clients()
        forget_settings()
        try:
            aws.client("dynamodb").meta.events.register("before-call.*.*", count)
            started = time.perf_counter()
            outcome = fanout.deliver(fanout.Delivery(CHANNEL, "count", "{}"), forget=lambda _connection: None)
            elapsed = (time.perf_counter() - started) * 1000
        finally:
            aws.reset_clients()
            forget_settings()
    sends = outcome.sent + len(outcome.pruned) + len(outcome.failed)
    return {"dynamodb_calls": calls, "sends": sends, "ms": round(elapsed)}


def _cold_init(target: Target) -> dict[str, Any]:
    """Cold init of the connect and message functions against the stack, beside their floor."""
    from bench.cold_start import _FLOOR_SCRIPT, _FUNCTION_SCRIPT, spawn
    from bench.runtime import lambda_like_environment, runtime_python
    from eckolocal.template import Template

    template = Template(ROOT / "template.yaml")
    events = {
        "RealtimeConnectFunction": {
            "requestContext": {"routeKey": "$connect", "eventType": "CONNECT", "connectionId": "benchCold000="},
            "queryStringParameters": {"protocol": "7", "client": "js", "version": "8.6.0"},
        },
        "RealtimeMessageFunction": {
            "requestContext": {"routeKey": "$default", "eventType": "MESSAGE", "connectionId": "benchCold000="},
            "body": json.dumps({"event": "pusher:subscribe", "data": {"channel": "bench-cold", "auth": ""}}),
        },
    }
    python = str(runtime_python())
    found: dict[str, Any] = {}
    for logical_id, event in events.items():
        spec = template.functions()[logical_id]
        env = lambda_like_environment(spec, _stack_env(target, logical_id))
        services = (
            ["dynamodb", "lambda"] if logical_id == "RealtimeConnectFunction" else ["dynamodb", "secretsmanager", "sqs"]
        )
        floor, function = [], []
        for _ in range(COLD_ROUNDS):
            floor.append(spawn(python, ["-c", _FLOOR_SCRIPT, *services], env, str(spec.code_dir))[0])
            elapsed, answer = spawn(
                python, ["-c", _FUNCTION_SCRIPT, "invoke"], env, str(spec.code_dir), (json.dumps(event) + "\n").encode()
            )
            if answer.get("result", {}).get("statusCode") != 200:
                raise RuntimeError(f"{logical_id} answered {answer.get('result')!r}")
            function.append(elapsed)
        found[logical_id] = {"floor_ms": median(floor), "function_ms": median(function), "services": services}
    return found


def run(workdir: Path) -> dict[str, Any]:
    with local_stack(workdir) as target:
        cold = _cold_init(target)  # first, while the stack is idle
        realtime = target.credentials["realtime"]
        clients = NodeClients(
            {
                "host": "127.0.0.1",
                "port": target.port,
                "key": realtime["key"],
                "count": CLIENTS,
                "perSecond": PER_SECOND,
                "channel": CHANNEL,
                "event": EVENT,
            }
        )
        try:
            ready = clients.line(timeout=CLIENTS / PER_SECOND + 120)
            import pusher

            server = pusher.Pusher(
                app_id=realtime["app_id"],
                key=realtime["key"],
                secret=realtime["secret"],
                host="127.0.0.1",
                port=target.port,
                ssl=False,
            )
            for seq in range(EVENTS):
                server.trigger(CHANNEL, EVENT, {"sent": int(time.time() * 1000), "seq": seq})
                time.sleep(EVENT_GAP_SECONDS)
            time.sleep(3)  # the last deliveries
            cost = _fanout_cost(target)
            report = clients.report()
        finally:
            clients.close()
    connect, latency = ready["connect_ms"], report["latency_ms"]
    found = {
        "clients": CLIENTS,
        "opened_per_second": PER_SECOND,
        "connected_at_once": ready["connected"],
        "subscribed": ready["subscribed"],
        "events": EVENTS,
        "received": len(latency),
        "connect_ms": {"p50": percentile(connect, 50), "p99": percentile(connect, 99)},
        "publish_to_receipt_ms": {"p50": percentile(latency, 50), "p99": percentile(latency, 99)},
        "publish_to_first_receipt_ms": {"median": median(report["first_ms"])},
        "fanout": cost,
        "cold_init_ms": cold,
    }
    found["rows"] = [
        row(
            "realtime connections held at once",
            f"{CLIENTS} pusher-js clients",
            ready["connected"],
            "connections",
            budget=f">= {CLIENTS}",
            passed=ready["connected"] >= CLIENTS,
        ),
        row(
            "realtime connect to connection_established, p99",
            f"{PER_SECOND} new connections/s",
            found["connect_ms"]["p99"],
            "ms",
            budget=f"< {CONNECT_TARGET_MS:g} ms",
            passed=found["connect_ms"]["p99"] < CONNECT_TARGET_MS,
        ),
        row(
            "realtime publish to receipt, p50",
            f"{CLIENTS} subscribers, {EVENTS} events",
            found["publish_to_receipt_ms"]["p50"],
            "ms",
            budget="info",
        ),
        row(
            "realtime publish to first receipt, median",
            f"{CLIENTS} subscribers, {EVENTS} events",
            found["publish_to_first_receipt_ms"]["median"],
            "ms",
            budget="info",
        ),
        row(
            "realtime publish to receipt, p99",
            f"{CLIENTS} subscribers, {EVENTS} events",
            found["publish_to_receipt_ms"]["p99"],
            "ms",
            budget=f"< {LATENCY_TARGET_MS:g} ms",
            passed=found["publish_to_receipt_ms"]["p99"] < LATENCY_TARGET_MS,
        ),
        row(
            "realtime deliveries received",
            f"{CLIENTS} x {EVENTS}",
            len(latency),
            "events",
            budget=f"= {CLIENTS * EVENTS}",
            passed=len(latency) == CLIENTS * EVENTS,
        ),
        row(
            "realtime fan-out DynamoDB calls per publish",
            f"{CLIENTS} subscribers",
            sum(cost["dynamodb_calls"].values()),
            "calls",
            budget=f"1 Query, {CLIENTS} sends",
            passed=cost["dynamodb_calls"] == {"Query": 1} and cost["sends"] == CLIENTS,
        ),
        row(
            "realtime one fan-out: query and sends",
            f"{CLIENTS} connections, {SEND_THREADS} threads",
            cost["ms"],
            "ms",
            budget="info",
        ),
        *(
            row(
                "cold init (spawn to first answer)",
                lid,
                f["function_ms"],
                "ms",
                peer=f"floor (boto3 + {', '.join(f['services'])} clients)",
                peer_value=f["floor_ms"],
                limit=1.3,
            )
            for lid, f in cold.items()
        ),
    ]
    return found
