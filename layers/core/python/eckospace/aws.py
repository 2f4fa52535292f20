"""boto3 clients created once per sandbox, on first use, and replaceable in tests.

Clients use botocore's standard retry mode (exponential backoff with jitter) and short timeouts so
a slow dependency fails the request rather than the whole Lambda timeout. `AWS_ENDPOINT_URL` (read
by botocore itself) points every client at an emulator or LocalStack.
"""

from __future__ import annotations

import threading
import time
from typing import Any

_clients: dict[str, Any] = {}
_lock = threading.Lock()


def client(service: str) -> Any:
    """The sandbox's client for `service` ("dynamodb", "s3", "sqs", ...)."""
    found = _clients.get(service)
    if found is not None:
        return found
    with _lock:
        if service not in _clients:
            import boto3
            from botocore.config import Config

            config = Config(
                retries={"mode": "standard", "max_attempts": 3},
                connect_timeout=2,
                read_timeout=5,
                signature_version="s3v4" if service == "s3" else None,
            )
            _clients[service] = boto3.session.Session().client(service, config=config)
        return _clients[service]


def use_client(service: str, instance: Any) -> None:
    """Inject a client (a test's, or one pointed elsewhere) for `service`."""
    _clients[service] = instance


def reset_clients() -> None:
    _clients.clear()


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


def take_once(table: str, key: dict[str, Any]) -> dict[str, Any] | None:
    """Delete an item and return it if it existed and its `expires_at` is still ahead: use-once
    semantics for states and codes. (TTL deletes lazily, so the expiry is checked here.)"""
    dynamodb = client("dynamodb")
    try:
        gone = dynamodb.delete_item(TableName=table, Key=key, ReturnValues="ALL_OLD",
                                    ConditionExpression="attribute_exists(pk)")
    except dynamodb.exceptions.ConditionalCheckFailedException:
        return None
    item = gone.get("Attributes", {})
    return item if int(item.get("expires_at", {}).get("N", "0")) > time.time() else None
