"""HTTP for the OAuth endpoints: form requests in, RFC 6749 JSON (never cached) out."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import Response

from eckospace.http.auth import headers
from eckospace.http.resolver import json_response, with_request_body
from eckospace.identity.oauth import MAX_FORM_BYTES, MAX_FORM_FIELDS, NO_STORE, OAuthError, OAuthRequest, parse_form

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver

OAUTH_SECURITY: list[dict[str, list[str]]] = [
    {"apiKey": [], "clientBasic": []},
    {"apiKey": []},
]  # Basic, or credentials in the form
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
_CLIENT_FIELDS = {
    "client_id": {"type": "string", "description": "With `client_secret`, when not authenticating with HTTP Basic"},
    "client_secret": {"type": "string", "description": "With `client_id`, when not authenticating with HTTP Basic"},
}


def with_oauth_form(route_options: dict[str, Any], properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    """Route options that describe an OAuth endpoint's form body (read by hand, `oauth_request`):
    the route's own parameters and the client credentials that may come in the form."""
    schema = {
        "type": "object",
        "required": required,
        "properties": {**properties, **_CLIENT_FIELDS},
        "additionalProperties": {"type": "string"},
        "maxProperties": MAX_FORM_FIELDS,
        "description": f"At most {MAX_FORM_FIELDS} parameters, each at most once (a text value), and "
        f"{MAX_FORM_BYTES} bytes in all (`invalid_request` otherwise); other parameters are "
        "ignored.",
    }
    return with_request_body(route_options, {FORM_CONTENT_TYPE: {"schema": schema}})


def use_oauth_errors(app: APIGatewayRestResolver) -> None:
    """Answer OAuthError as RFC 6749 §5.2 says, instead of problem+json."""

    def render_oauth_error(error: OAuthError) -> Response[str]:
        return Response(
            status_code=error.status,
            content_type="application/json",
            body=json.dumps(error.body()),
            headers=error.headers,
        )

    # Registered by call rather than as a decorator: Powertools leaves exception_handler unannotated.
    app.exception_handler(OAuthError)(render_oauth_error)


def oauth_request(app: APIGatewayRestResolver) -> OAuthRequest:
    event = app.current_event.raw_event
    content_type, authorization = headers(app, "content-type", "authorization")
    return parse_form(event.get("body"), bool(event.get("isBase64Encoded")), content_type, authorization)


def oauth_json(body: dict[str, Any] | None) -> Response[str]:
    if body is None:
        return Response(status_code=200, content_type="application/json", body="", headers=dict(NO_STORE))
    return json_response(body, headers=dict(NO_STORE))
