"""WebSocket $disconnect: forgets the connection and announces presence departures."""

from __future__ import annotations

from typing import Any

from eckospace.realtime.connections import forget


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    forget(event["requestContext"]["connectionId"])
    return {"statusCode": 200}
