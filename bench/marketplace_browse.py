"""Browse latency through the whole local stack (`python -m eckolocal`: gateway, authorizer, usage
plan, one worker process per function): a category's first page of published listings out of a
seeded catalogue, beside a page of the caller's notifications (one DynamoDB query too, on a
partition of its own) measured the same way on the same connection: the ratio is what a category's
page of the catalogue costs beyond any one-query listing. The emulator answers a query on an index
by scanning the whole table, so the ratio here overstates what DynamoDB would add.

The catalogue (`LISTINGS` published listings over a few categories, each with its index keys as
the marketplace writes them) is written straight into the stack's emulator; the browse route then
reads a page of 20 of one category, newest first, and by price in one currency.
"""

from __future__ import annotations

import http.client
import json
import random
import time
from pathlib import Path
from typing import Any

from bench.common import median, percentile, row
from bench.throughput import local_stack

LISTINGS = 2_000
CATEGORIES = ("sports", "music", "books", "garden")
REQUESTS = 200  # per path, after a warm-up
WARMUP = 10
PATHS = {
    "category, newest": "/api/listings?category=sports&limit=20",
    "category and currency, by price": "/api/listings?category=sports&sort=price_asc&currency=eur&limit=20",
    "notifications (the floor)": "/api/notifications?limit=20",
}


def _seed(credentials: dict[str, Any], count: int) -> None:
    import boto3

    from eckospace import ids
    from eckospace.marketplace import lifecycle, store

    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=credentials["aws_endpoint_url"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    table = next(name for name in dynamodb.list_tables()["TableNames"] if name.endswith("MarketplaceTable"))
    rng, now = random.Random(7), ids.now_ms()
    batch: list[dict[str, Any]] = []
    for n in range(count):
        published_ms = now - rng.randrange(20 * 24 * 3600 * 1000)
        listing = {
            "id": ids.new_id("lst", published_ms),
            "seller": f"bench-seller-{n % 200}",
            "title": f"Item {n}",
            "description": "Bought last year, used twice.",
            "price": rng.randrange(100, 100_000),
            "currency": rng.choice(("eur", "usd")),
            "category": CATEGORIES[n % len(CATEGORIES)],
            "condition": "good",
            "location": {"country": "DE", "city": "Berlin"},
            "attachments": [],
            "status": lifecycle.PUBLISHED,
            "version": 3,
            "created_ms": published_ms,
            "updated_ms": published_ms,
            "submitted_ms": published_ms,
            "published_ms": published_ms,
            "expires_ms": published_ms + lifecycle.LIFETIME_MS,
        }
        batch.append({"PutRequest": {"Item": store.item(listing)}})
        if len(batch) == 25 or n == count - 1:
            pending = {table: batch}
            while pending:
                pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            batch = []


def _timings(port: int, headers: dict[str, str], path: str, requests: int) -> tuple[list[float], int]:
    """Milliseconds per request on one keep-alive connection, after a warm-up; and the body size."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    found, size = [], 0
    try:
        for n in range(WARMUP + requests):
            started = time.perf_counter()
            connection.request("GET", path, headers=headers)
            answer = connection.getresponse()
            body = answer.read()
            elapsed = (time.perf_counter() - started) * 1000
            if answer.status != 200:
                raise RuntimeError(f"GET {path}: {answer.status} {body[:300]!r}")
            if n >= WARMUP:
                found.append(elapsed)
                size = len(body)
    finally:
        connection.close()
    return found, size


def run(workdir: Path, *, requests: int = REQUESTS) -> dict[str, Any]:
    with local_stack(workdir) as stack:
        _seed(stack.credentials, LISTINGS)
        measured = {name: _timings(stack.port, stack.headers, path, requests) for name, path in PATHS.items()}
    floor = median(measured["notifications (the floor)"][0])
    rows, paths = [], {}
    for name, (timings, size) in measured.items():
        p50, p95 = median(timings), percentile(timings, 95)
        paths[name] = {"path": PATHS[name], "p50_ms": p50, "p95_ms": p95, "body_bytes": size}
        if name.startswith("notifications"):
            continue
        rows.append(
            row(
                "browse latency through the local stack, p50",
                name,
                p50,
                "ms",
                peer="GET /api/notifications (one query), same stack and connection",
                peer_value=floor,
            )
        )
        rows.append(row("browse latency through the local stack, p95", name, p95, "ms", with_ratio=False))
    return {"listings": LISTINGS, "requests": requests, "paths": paths, "rows": rows}


def main() -> None:  # `python -m bench.marketplace_browse`: alone, printing its figures
    import tempfile

    with tempfile.TemporaryDirectory(prefix="eckobench-browse-") as tmp:
        print(json.dumps(run(Path(tmp)), indent=2))


if __name__ == "__main__":
    main()
