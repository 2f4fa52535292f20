"""Requests per second on loopback: the whole local stack (`python -m eckolocal`: gateway, authorizer,
API key and usage plan checks, a worker process per concurrent request) serving
GET /api/translations/app?locale=fr, beside `chalice local` serving an equivalent static route
(bench/peers/chalice_translations).

Both servers run side by side; measurement windows alternate between them. The load generator is a
separate Python process (this module run as a child): a fixed number of threads, each with one
persistent keep-alive connection, for a fixed time after a warm-up, bounded in requests too.
The stack's standard plan throttle and quota are raised (template parameter overrides) so the
figure is the stack's speed, not the demo key's rate limit.

`chalice local` is built on http.server, which sends headers and body in two writes; on a kept-alive
connection the body then waits for the client's delayed ACK (Nagle), about 40 ms a request. So the
peer is also measured with a new connection per request, which is its best case.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import subprocess
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bench.common import PYTHON, REGION, ROOT, child_main, median, percentile, row, run_child, with_bench_on_path
from eckolocal.stack import free_port

PATH = "/api/translations/app?locale=fr"
CHALICE_PROJECT = Path(__file__).resolve().parent / "peers" / "chalice_translations"
STACK_OVERRIDES = ["StandardRateLimit=1000000", "StandardBurstLimit=1000000", "StandardQuotaPerDay=1000000000"]
CONNECTIONS = 4
ROUNDS = 3
SECONDS = 6.0  # measured per window; 18 s per server in all
WARMUP = 1.0  # per window, not counted
PRIME = 5.0  # once per server before the first window (the stack cold-starts its workers)
MAX_REQUESTS = 200_000  # per window, across connections


@dataclass
class Target:
    name: str
    port: int
    headers: dict[str, str]
    keep_alive: bool = True
    credentials: dict[str, Any] = field(default_factory=dict)  # the local stack's credentials file


def _wait_ready(process: subprocess.Popen[bytes], log: Path, ready: Any, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError, ValueError):
            if ready():
                return
        time.sleep(0.2)
    raise RuntimeError(f"server not ready within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def _answers_200(url: str, headers: dict[str, str] | None = None) -> bool:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5) as answer:
        return answer.status == 200


@contextlib.contextmanager
def _server(command: list[str], *, env: dict[str, str], cwd: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A server process, stopped with SIGINT (as Ctrl-C) and waited for."""
    with open(log, "wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def local_stack(workdir: Path) -> Iterator[Target]:
    port, state, log = free_port(), workdir / "stack-state", workdir / "stack.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}  # its own embedded emulator
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "infra" / "local"), str(ROOT / "layers" / "core" / "python")])
    command = [
        PYTHON,
        "-m",
        "eckolocal",
        "--port",
        str(port),
        "--state-dir",
        str(state),
        "--fresh",
        "--parameter-overrides",
        *STACK_OVERRIDES,
    ]
    with _server(command, env=env, cwd=ROOT, log=log) as process:
        credentials = state / "dev-credentials.json"
        _wait_ready(
            process, log, lambda: credentials.exists() and _answers_200(f"http://127.0.0.1:{port}/_local/health")
        )
        found = json.loads(credentials.read_text())
        headers = {"x-api-key": found["api_key"], "Authorization": f"Bearer {found['token']}"}
        yield Target("local stack", port, headers, credentials=found)


@contextlib.contextmanager
def chalice_local(workdir: Path) -> Iterator[Target]:
    port, log = free_port(), workdir / "chalice.log"
    command = [
        str(Path(PYTHON).parent / "chalice"),
        "local",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-autoreload",
    ]
    env = {**os.environ, "AWS_DEFAULT_REGION": REGION}
    with _server(command, env=env, cwd=CHALICE_PROJECT, log=log) as process:
        _wait_ready(process, log, lambda: _answers_200(f"http://127.0.0.1:{port}{PATH}"))
        yield Target("chalice local, keep-alive", port, {})


def load(target: Target, *, seconds: float, warmup: float) -> dict[str, Any]:
    request = {
        "port": target.port,
        "path": PATH,
        "headers": target.headers,
        "keep_alive": target.keep_alive,
        "connections": CONNECTIONS,
        "seconds": seconds,
        "warmup": warmup,
        "max_requests": MAX_REQUESTS,
    }
    return run_child("bench.throughput", request, with_bench_on_path(dict(os.environ)), timeout=seconds + warmup + 60)


def _summary(windows: list[dict[str, Any]], primed: dict[str, Any]) -> dict[str, Any]:
    """One server's figures over its measured windows (median req/s; latencies pooled)."""
    latencies = [ms for window in windows for ms in window.pop("latencies_ms")]
    statuses: Counter[str] = Counter()
    for window in windows:
        statuses.update(window["statuses"])
    return {
        "rps_median": round(median([w["rps"] for w in windows]), 1),
        "rps_windows": [w["rps"] for w in windows],
        "latency_ms": {"p50": round(percentile(latencies, 50), 2), "p99": round(percentile(latencies, 99), 2)}
        if latencies
        else {},
        "statuses": dict(statuses),
        "errors": sum(w["errors"] for w in windows),
        "body_bytes": windows[-1]["body_bytes"],
        "prime": {"statuses": primed["statuses"], "errors": primed["errors"]},
    }


def run(workdir: Path, *, rounds: int = ROUNDS, seconds: float = SECONDS) -> dict[str, Any]:
    with local_stack(workdir) as ours, chalice_local(workdir) as chalice:
        peers = [chalice, replace(chalice, name="chalice local, connection per request", keep_alive=False)]
        targets = [ours, *peers]
        primed = {t.name: load(t, seconds=PRIME, warmup=0.0) for t in targets}
        windows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in targets}
        for round_number in range(rounds):
            shift = round_number % len(targets)
            for target in targets[shift:] + targets[:shift]:
                windows[target.name].append(load(target, seconds=seconds, warmup=WARMUP))
    summary = {name: _summary(found, primed[name]) for name, found in windows.items()}
    rows = []
    mine = summary[ours.name]
    for peer in peers:
        theirs = summary[peer.name]
        rows.append(
            row(
                "requests/s on loopback (200s)",
                ours.name,
                mine["rps_median"],
                "req/s",
                peer=peer.name,
                peer_value=theirs["rps_median"],
                budget="info",
            )
        )
        for q in ("p50", "p99"):
            rows.append(
                row(
                    f"latency {q}",
                    ours.name,
                    mine["latency_ms"].get(q, 0.0),
                    "ms",
                    peer=peer.name,
                    peer_value=theirs["latency_ms"].get(q),
                    budget="info",
                )
            )
    return {
        "connections": CONNECTIONS,
        "rounds": rounds,
        "seconds_per_window": seconds,
        "warmup_seconds": WARMUP,
        "path": PATH,
        "stack_overrides": STACK_OVERRIDES,
        "targets": summary,
        "rows": rows,
    }


# ---------------------------------------------------------------------- the load generator (child)
def measure(request: dict[str, Any]) -> dict[str, Any]:
    connections = request["connections"]
    begin = time.perf_counter() + request["warmup"]
    end = begin + request["seconds"]
    per_connection = request["max_requests"] // connections
    latencies: list[list[float]] = [[] for _ in range(connections)]
    statuses: list[Counter[str]] = [Counter() for _ in range(connections)]
    errors = [0] * connections
    body_bytes = [0] * connections
    headers = request["headers"] | ({} if request["keep_alive"] else {"Connection": "close"})

    def drive(slot: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", request["port"], timeout=10)
        for _ in range(per_connection):
            sent = time.perf_counter()
            if sent >= end:
                break
            try:
                connection.request("GET", request["path"], headers=headers)
                answer = connection.getresponse()
                body_bytes[slot] = len(answer.read())
                if not request["keep_alive"]:
                    connection.close()  # the next request opens a new connection
            except (OSError, http.client.HTTPException):
                connection.close()
                errors[slot] += 1
                continue
            done = time.perf_counter()
            if sent >= begin and done <= end:
                statuses[slot][str(answer.status)] += 1
                if answer.status == 200:
                    latencies[slot].append(round((done - sent) * 1000, 3))
        connection.close()

    threads = [threading.Thread(target=drive, args=(slot,)) for slot in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ok = sum(len(found) for found in latencies)
    total: Counter[str] = Counter()
    for found in statuses:
        total.update(found)
    return {
        "rps": round(ok / request["seconds"], 1),
        "statuses": dict(total),
        "errors": sum(errors),
        "body_bytes": max(body_bytes),
        "latencies_ms": [ms for found in latencies for ms in found],
    }


if __name__ == "__main__":
    child_main(measure)
