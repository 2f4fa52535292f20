"""WebSocket $default: every message a client sends; the answer goes back on the same connection."""

from __future__ import annotations

from typing import Any

from eckospace.realtime.messages import handle


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    answer = handle(event["requestContext"]["connectionId"], event.get("body"))
    return {"statusCode": 200, "body": answer} if answer else {"statusCode": 200}
