"""Warm per-request CPU: the translations function's handler on a warm sandbox (catalogue cached,
no backend call) beside a bare Powertools resolver serving the same route, event and body, and,
for reference, a stock Powertools function (validation on, a Query parameter, one pydantic model).

Runs in a child process with the function's sandbox environment. CPU is `time.process_time()`
over blocks of invocations, the three variants interleaved in rounds (order rotating); a cProfile
pass then splits each variant's CPU by package, to show where ours spends more than bare.

(No `from __future__ import annotations` here: Powertools reads the peers' parameter annotations.)
"""

import cProfile
import gc
import pstats
import time
from collections import Counter
from pathlib import Path
from typing import Annotated, Any, Literal

from bench.common import (
    SUCCESS,
    Backend,
    child_main,
    lambda_context,
    load_handler,
    median,
    outcome,
    row,
    run_child,
    with_bench_on_path,
)

ROUTE = "/api/translations/app"
BUDGET = 1.5
ROUNDS = 10
PER_ROUND = 400  # invocations per variant per round: 4000 each in all
PROFILED_CALLS = 1500


def run(backend: Backend, *, rounds: int = ROUNDS, per_round: int = PER_ROUND) -> dict[str, Any]:
    route = next(r for r in backend.template.routes() if r.path == ROUTE)
    spec = backend.functions()[route.function]
    request = {
        "event": backend.sample_events()[route.function],
        "path": route.path,
        "method": route.method,
        "rounds": rounds,
        "per_round": per_round,
    }
    result = run_child("bench.warm_cpu", request, with_bench_on_path(backend.sandbox_env(spec)), cwd=spec.code_dir)
    us = result["median_us"]
    result["rows"] = [
        row(
            "warm CPU per request",
            route.function,
            us["ours"],
            "us",
            peer="bare Powertools resolver",
            peer_value=us["bare"],
            limit=BUDGET,
        ),
        row(
            "warm CPU per request (reference)",
            "stock Powertools function",
            us["stock"],
            "us",
            peer="bare Powertools resolver",
            peer_value=us["bare"],
            budget="info",
        ),
    ]
    result["function"] = route.function
    return result


# ---------------------------------------------------------------------- the child
def _peers(path: str, method: str, ours: dict[str, Any]) -> dict[str, Any]:
    """The bare and stock resolvers, answering with what ours answered."""
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
    from aws_lambda_powertools.event_handler.openapi.params import Query
    from pydantic import BaseModel

    headers = {k: v[-1] for k, v in (ours.get("multiValueHeaders") or {}).items()} | (ours.get("headers") or {})
    content_type = headers.pop("Content-Type")
    headers.pop("X-Request-Id", None)
    body = ours["body"]

    bare = APIGatewayRestResolver()

    @bare.route(path, method)
    def bare_route() -> Response:
        return Response(status_code=200, content_type=content_type, body=body, headers=headers)

    class Catalogue(BaseModel):
        locale: str
        requested_locale: str | None
        direction: Literal["ltr", "rtl"]
        version: str
        messages: dict[str, str]

    catalogue = Catalogue.model_validate_json(body)
    stock = APIGatewayRestResolver(enable_validation=True)

    @stock.route(path, method)
    def stock_route(locale: Annotated[str | None, Query(max_length=64)] = None) -> Catalogue:
        return catalogue

    return {"bare": bare, "stock": stock}


def _area(filename: str) -> str:
    """Which package a profiled function belongs to."""
    parts = Path(filename).parts
    for anchor in ("site-packages", "python"):
        if anchor in parts and parts[-1].endswith(".py"):
            package = parts[parts.index(anchor) + 1 : -1]
            if package and (anchor == "site-packages" or package[0] == "eckospace"):
                depth = 3 if package[0] == "aws_lambda_powertools" else 2
                return ".".join(package[:depth])
    if filename.endswith("app.py"):
        return "function module"
    if "bench" in parts:
        return "benchmark loop"
    return "built-ins" if filename.startswith("~") else "standard library"


def _profile(call: Any, calls: int) -> dict[str, float]:
    """us per call, by package (own time, so the parts add up)."""
    profiler = cProfile.Profile()
    profiler.runcall(lambda: [call() for _ in range(calls)])
    per_area: Counter[str] = Counter()
    for (filename, _, _), (_, _, own, _, _) in pstats.Stats(profiler).stats.items():  # type: ignore[attr-defined]
        per_area[_area(filename)] += own
    return {area: round(seconds / calls * 1e6, 1) for area, seconds in per_area.most_common(8)}


def measure(request: dict[str, Any]) -> dict[str, Any]:
    event, context = request["event"], lambda_context()
    handler = load_handler()
    first = handler(event, context)  # cold: reads the catalogue once, then it is cached
    resolvers = _peers(request["path"], request["method"], first)
    calls = {
        "ours": lambda: handler(event, context),
        "bare": lambda: resolvers["bare"].resolve(event, context),
        "stock": lambda: resolvers["stock"].resolve(event, context),
    }
    answers = {name: call() for name, call in calls.items()}
    for name, answer in answers.items():
        if outcome(answer) not in SUCCESS:
            raise RuntimeError(f"{name} answered {answer!r}")
    if answers["bare"]["body"] != answers["ours"]["body"]:
        raise RuntimeError("the bare resolver's body differs from ours")
    for call in calls.values():  # warm every path before timing
        for _ in range(200):
            call()
    names = list(calls)
    per_round: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(request["rounds"]):
        for name in names[round_number % 3 :] + names[: round_number % 3]:
            call, n = calls[name], request["per_round"]
            gc.collect()
            started = time.process_time()
            for _ in range(n):
                call()
            per_round[name].append((time.process_time() - started) / n * 1e6)
    return {
        "median_us": {name: round(median(values), 1) for name, values in per_round.items()},
        "rounds_us": {name: [round(v, 1) for v in values] for name, values in per_round.items()},
        "invocations_per_variant": request["rounds"] * request["per_round"],
        "response_bytes": len(answers["ours"]["body"]),
        "profile_us_by_package": {name: _profile(call, PROFILED_CALLS) for name, call in calls.items()},
    }


if __name__ == "__main__":
    child_main(measure)
