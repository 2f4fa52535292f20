"""POST /api/oauth/revoke: an integration revokes one of its access tokens (RFC 7009)."""

from __future__ import annotations

from eckospace.http.identity_routes import NO_STORE_HEADERS, body, empty, header
from eckospace.http.oauth import OAUTH_SECURITY, oauth_json, oauth_request, use_oauth_errors, with_oauth_form
from eckospace.http.resolver import entrypoint, make_resolver
from eckospace.identity.jwks import verifier
from eckospace.identity.oauth import revoke_token

app = make_resolver()
use_oauth_errors(app)


@app.post(
    "/api/oauth/revoke",
    summary="Revoke an access token (RFC 7009)",
    description=(
        "Form-encoded: `token` (and optionally `token_type_hint=access_token`), with the same client "
        "authentication as the token endpoint. Answers 200 whether or not the token was still valid; "
        "a revoked token is refused everywhere within the authorizer's cache time (five minutes)."
    ),
    tags=["OAuth"],
    responses={
        200: empty("Revoked, or nothing to revoke (an invalid or expired token): no content", NO_STORE_HEADERS),
        400: body(
            "OAuthRevocationError",
            "`invalid_request` (a body that is not a form, a repeated "
            "parameter, no `token`, credentials both in Basic and in the form), or `unauthorized_client` "
            "for another client's token",
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
            "token": {"type": "string", "description": "The access token to revoke"},
            "token_type_hint": {
                "type": "string",
                "description": "Optional, and ignored: only access tokens are revoked here",
            },
        },
        required=["token"],
    ),
)
def revoke():
    revoke_token(oauth_request(app), verifier().verify)
    return oauth_json(None)


lambda_handler = entrypoint(app)
