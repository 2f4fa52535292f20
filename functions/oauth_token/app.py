"""POST /api/oauth/token: access tokens for integrations (client credentials grant)."""

from __future__ import annotations

from eckospace.http.identity_routes import NO_STORE_HEADERS, body, header
from eckospace.http.oauth import OAUTH_SECURITY, oauth_json, oauth_request, use_oauth_errors, with_oauth_form
from eckospace.http.resolver import entrypoint, make_resolver
from eckospace.identity.oauth import issue_token

app = make_resolver()
use_oauth_errors(app)


@app.post(
    "/api/oauth/token",
    summary="Get an access token (OAuth 2.0 client credentials)",
    description=(
        "Form-encoded (`application/x-www-form-urlencoded`): `grant_type=client_credentials` and, "
        "optionally, `scope` (space separated; only scopes your integration may request; without it, "
        "its default set). Authenticate with HTTP Basic (client id and secret) or with `client_id` and "
        "`client_secret` in the form, not both. Errors follow RFC 6749 section 5.2 (`error`, "
        "`error_description`): `invalid_client` (401), `invalid_request`, `invalid_scope`, "
        "`unsupported_grant_type` (400)."
    ),
    tags=["OAuth"],
    responses={
        200: body("OAuthAccessToken", "An access token (RFC 6749 section 5.1)", NO_STORE_HEADERS),
        400: body(
            "OAuthTokenError",
            "`invalid_request` (a body that is not a form, a repeated or missing "
            "parameter, credentials both in Basic and in the form), `invalid_scope` or "
            "`unsupported_grant_type` (RFC 6749 section 5.2)",
            NO_STORE_HEADERS,
        ),
        401: body(
            "OAuthClientError",
            "`invalid_client`: unknown or disabled client, wrong or expired secret, or no credentials",
            {
                **NO_STORE_HEADERS,
                "WWW-Authenticate": header('When the client authenticated with HTTP Basic: `Basic realm="eckospace"`'),
            },
        ),
    },
    **with_oauth_form(
        {"security": OAUTH_SECURITY},
        {
            "grant_type": {"type": "string", "enum": ["client_credentials"]},
            "scope": {
                "type": "string",
                "description": "Space separated; only scopes your integration may request. "
                "Without it (or empty), its default set.",
            },
        },
        required=["grant_type"],
    ),
)
def issue():
    return oauth_json(issue_token(oauth_request(app)))


lambda_handler = entrypoint(app)
