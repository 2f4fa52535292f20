"""WebSocket $connect: records the connection and asks the welcome function to greet it."""

from __future__ import annotations

from typing import Any

from eckospace.realtime.connections import connect


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    connect(event["requestContext"]["connectionId"], event.get("queryStringParameters") or {})
    return {"statusCode": 200}
