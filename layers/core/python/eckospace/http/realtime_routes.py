"""What the realtime HTTP routes share: the events API's signed requests, and pieces of their
OpenAPI documentation."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from eckospace.http import documented
from eckospace.http.body import raw_body
from eckospace.realtime.publishing import authenticate

MODELS = "eckospace.realtime.models"

_SIGNATURE_PARAMETERS = [
    {"name": "auth_key", "description": "The app key"},
    {"name": "auth_timestamp", "description": "Epoch seconds; within 600 s of the server's clock"},
    {"name": "auth_version", "description": "`1.0`"},
    {"name": "body_md5", "description": "Hex MD5 of the body (required when there is a body)"},
    {"name": "auth_signature", "description": "Hex HMAC-SHA256 with the app secret of the string to sign"},
]

# Signed as Pusher's server libraries sign: no API key, no bearer token (they send neither).
SIGNED = {
    "security": [],
    "openapi_extensions": {
        "parameters": [
            {"in": "query", "required": parameter["name"] != "body_md5", "schema": {"type": "string"}, **parameter}
            for parameter in _SIGNATURE_PARAMETERS
        ]
    },
}

SIGNED_PROBLEMS = {
    401: documented.problem(
        "`urn:eckospace:problem:invalid-signature`: the signature is missing or wrong, the timestamp is more than "
        "600 s away, or body_md5 does not match. Nothing is published"
    ),
    404: documented.problem("No app with this id"),
}


def body(model: str, description: str) -> dict[str, Any]:
    return documented.body(f"{MODELS}:{model}", description)


def signed_request(app: APIGatewayRestResolver, app_id: str | None) -> bytes:
    """The request's body, once its signature is verified over the path, query and body as sent
    (and the path's app id is the app's, for a path that names one)."""
    event = app.current_event
    body_bytes = raw_body(event.raw_event)
    authenticate(app_id, event.http_method, event.path, event.query_string_parameters or {}, body_bytes)
    return body_bytes
