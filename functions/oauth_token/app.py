"""POST /api/oauth/token: access tokens for integrations (client credentials grant)."""

from __future__ import annotations

from eckospace.http.oauth import OAUTH_SECURITY, oauth_json, oauth_request, use_oauth_errors
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
    security=OAUTH_SECURITY,
    responses={200: {"description": "`access_token`, `token_type` (Bearer), `expires_in` (seconds), `scope`"},
               400: {"description": "invalid_request, invalid_scope or unsupported_grant_type"},
               401: {"description": "invalid_client"}},
)
def issue():
    return oauth_json(issue_token(oauth_request(app)))


lambda_handler = entrypoint(app)
