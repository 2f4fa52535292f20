"""Scheduled: disable the API keys that rotations replaced, once their overlap window has ended."""

from __future__ import annotations

from typing import Any

from eckospace.identity import api_keys, integrations
from eckospace.observability import logger


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    retired = integrations.retire_due_api_keys(api_keys.disable)
    logger().info("retired rotated-out API keys", extra={"count": len(retired)})
    return {"retired": retired}
