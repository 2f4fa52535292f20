"""The API's Lambda TOKEN authorizer: verifies the Bearer JWT and passes principal and scopes on."""

from __future__ import annotations

from typing import Any

from eckospace import aws
from eckospace.identity.authorizer import authorize

aws.use_request_timeouts()


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    # Within the budget, or an error (API Gateway's AUTHORIZER_FAILURE, answered 503): never a
    # Lambda timeout while the backend hangs.
    aws.start_budget(context.get_remaining_time_in_millis())
    try:
        return authorize(event)
    finally:
        aws.end_budget()
