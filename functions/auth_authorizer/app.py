"""The API's Lambda TOKEN authorizer: verifies the Bearer JWT and passes principal and scopes on."""

from __future__ import annotations

from typing import Any

from eckospace.identity.authorizer import authorize


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return authorize(event)
