"""HTTP for the OAuth endpoints: form requests in, RFC 6749 JSON (never cached) out."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import Response

from eckospace.http.auth import headers
from eckospace.http.resolver import json_response
from eckospace.identity.oauth import NO_STORE, OAuthError, OAuthRequest, parse_form

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver

OAUTH_SECURITY = [{"apiKey": [], "clientBasic": []}, {"apiKey": []}]  # Basic, or credentials in the form


def use_oauth_errors(app: APIGatewayRestResolver) -> None:
    """Answer OAuthError as RFC 6749 §5.2 says, instead of problem+json."""

    @app.exception_handler(OAuthError)
    def render_oauth_error(error: OAuthError) -> Response:
        return Response(status_code=error.status, content_type="application/json",
                        body=json.dumps(error.body()), headers=error.headers)


def oauth_request(app: APIGatewayRestResolver) -> OAuthRequest:
    event = app.current_event.raw_event
    content_type, authorization = headers(app, "content-type", "authorization")
    return parse_form(event.get("body"), bool(event.get("isBase64Encoded")), content_type, authorization)


def oauth_json(body: dict[str, Any] | None) -> Response:
    if body is None:
        return Response(status_code=200, content_type="application/json", body="", headers=dict(NO_STORE))
    return json_response(body, headers=dict(NO_STORE))
