"""AWS clients created once per sandbox, on first use, and replaceable in tests.

They come from one botocore session, as `boto3.client` makes them, without importing boto3: its
session adds only resources and S3's managed transfers, which nothing here uses, and importing it
(with s3transfer) costs a cold start about a quarter of what creating a client does.

Clients use botocore's standard retry mode (exponential backoff with jitter) and short timeouts so
a slow dependency fails the request rather than the whole Lambda timeout. `AWS_ENDPOINT_URL` (read
by botocore itself) points every client at an emulator or LocalStack.

Time budget: an invocation that calls `start_budget` (the API entry point and the authorizer do)
gives its AWS calls the time it has left. No attempt, first or retry, starts unless its connect and
read timeouts can run out with time to spare for the answer; past that, the call fails with
`TimeBudgetSpent`, which the API answers as a 503 with Retry-After, well before Lambda would cut the
function off with a gateway timeout.
"""

from __future__ import annotations

import threading
import time
from functools import cache
from typing import Any

_clients: dict[str, Any] = {}
_lock = threading.Lock()
# Per attempt, in seconds. API functions (10 s) answer from small items; workers have minutes and
# move large objects, so they keep longer reads.
_timeouts = {"connect": 2.0, "read": 5.0}
REQUEST_TIMEOUTS = {"connect": 1.0, "read": 2.0}
ANSWER_SECONDS = 0.5  # kept to answer once the AWS calls have given up
_deadline: list[float] = []  # monotonic time by which the current invocation must have answered


class TimeBudgetSpent(Exception):
    """The invocation has no time left for another AWS attempt (a transient failure: retry later)."""


def use_request_timeouts() -> None:
    """Shorter per-attempt timeouts, for functions that answer requests (call before any client)."""
    _timeouts.update(REQUEST_TIMEOUTS)


def start_budget(remaining_ms: float) -> None:
    """The current invocation must answer within `remaining_ms` (Lambda's remaining time)."""
    _deadline[:] = [time.monotonic() + remaining_ms / 1000]


def end_budget() -> None:
    _deadline.clear()


def _within_budget(**_: Any) -> None:
    """Before each attempt: refuse one that could outlast the invocation."""
    if _deadline and time.monotonic() + _timeouts["connect"] + _timeouts["read"] + ANSWER_SECONDS > _deadline[0]:
        raise TimeBudgetSpent("no time left in this invocation for another attempt at an AWS call")


@cache
def _session() -> Any:
    """The session every client comes from: each new one would load the endpoint and service
    catalogues again."""
    from botocore.session import get_session

    return get_session()


def session() -> Any:
    """The botocore session the clients come from (its credentials and region)."""
    return _session()


def client(service: str, *, endpoint_url: str | None = None, pool: int = 10) -> Any:
    """The sandbox's client for `service` ("dynamodb", "s3", "sqs", ...); `endpoint_url` for a
    service addressed per resource (a WebSocket API's @connections), `pool` for one used from many
    threads at once."""
    name = f"{service}@{endpoint_url}" if endpoint_url else service
    found = _clients.get(name)
    if found is not None:
        return found
    with _lock:
        if name not in _clients:
            from botocore.config import Config

            config = Config(
                retries={"mode": "standard", "max_attempts": 3},
                connect_timeout=_timeouts["connect"],
                read_timeout=_timeouts["read"],
                signature_version="s3v4" if service == "s3" else None,
                max_pool_connections=pool,
            )
            created = _session().create_client(service, config=config, endpoint_url=endpoint_url)
            created.meta.events.register("before-send", _within_budget)
            _clients[name] = created
        return _clients[name]


def use_client(service: str, instance: Any) -> None:
    """Inject a client (a test's, or one pointed elsewhere) for `service`."""
    _clients[service] = instance


def reset_clients() -> None:
    _clients.clear()
    _session.cache_clear()


def batch_get(request: dict[str, Any], *, attempts: int = 5) -> dict[str, list[dict[str, Any]]]:
    """BatchGetItem until nothing is left unprocessed (bounded, with backoff): items by table."""
    found: dict[str, list[dict[str, Any]]] = {table: [] for table in request}
    for attempt in range(attempts):
        answer = client("dynamodb").batch_get_item(RequestItems=request)
        for table, items in answer.get("Responses", {}).items():
            found[table].extend(items)
        request = answer.get("UnprocessedKeys") or {}
        if not request:
            return found
        time.sleep(0.05 * 2**attempt)
    raise RuntimeError("DynamoDB left keys unprocessed after retries")
