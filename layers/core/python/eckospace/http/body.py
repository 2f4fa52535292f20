"""The request body exactly as the client sent it (API Gateway base64-encodes binary media types)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from eckospace.errors import InvalidInput


def raw_body(event: dict[str, Any]) -> bytes:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("The request body is not valid base64.") from None
    return body.encode("utf-8")
