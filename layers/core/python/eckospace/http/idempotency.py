"""Idempotency-Key for POSTs that create or charge (Powertools idempotency on DynamoDB).

The key is scoped to the caller; the stored answer is returned for a replay; the same key with a
different body is refused (422); a replay while the first request is still running gets 409 with
`Retry-After`. Records live 24 hours (`ECKO_IDEMPOTENCY_TABLE`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from eckospace import aws
from eckospace.config import Setting, text
from eckospace.errors import Conflict, InvalidInput, Unprocessable

TABLE = Setting("ECKO_IDEMPOTENCY_TABLE", text)
HEADER = "idempotency-key"
MAX_KEY_LENGTH = 255


@cache
def _persistence() -> Any:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    return DynamoDBPersistenceLayer(table_name=TABLE(), boto3_client=aws.client("dynamodb"))


def once(
    key: str | None,
    *,
    caller: str,
    body: dict[str, Any],
    produce: Callable[[dict[str, Any]], dict[str, Any]],
    lambda_context: Any = None,
) -> dict[str, Any]:
    """`produce(body)` the first time `key` is used by `caller`; its stored answer afterwards."""
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(
            "An Idempotency-Key header (at most 255 characters) is required.",
            errors=[{"in": "header", "name": "Idempotency-Key", "detail": "is required"}],
        )
    config = IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="body",
        expires_after_seconds=24 * 3600,
        raise_on_no_idempotency_key=True,
    )
    if lambda_context is not None:
        config.register_lambda_context(lambda_context)

    # Powertools types idempotent_function's result as Any: the wrapped function keeps its signature.
    @idempotent_function(  # type: ignore[untyped-decorator]
        data_keyword_argument="request", persistence_store=_persistence(), config=config
    )
    def run(request: dict[str, Any]) -> dict[str, Any]:
        return produce(request["body"])

    try:
        answer: dict[str, Any] = run(request={"key": f"{caller}:{key}", "body": body})
        return answer
    except IdempotencyValidationError:
        raise Unprocessable("This Idempotency-Key was used with a different request body.") from None
    except IdempotencyAlreadyInProgressError:
        raise Conflict("A request with this Idempotency-Key is still being processed.", retry_after=1) from None


def created(
    key: str | None,
    *,
    caller: str,
    body: dict[str, Any],
    produce: Callable[[dict[str, Any]], dict[str, Any]],
    lambda_context: Any = None,
) -> dict[str, Any]:
    """For a create whose `Idempotency-Key` is optional: `once` when the client sent one, else
    `produce(body)` straight away."""
    if not key:
        return produce(body)
    return once(key, caller=caller, body=body, produce=produce, lambda_context=lambda_context)
