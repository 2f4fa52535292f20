"""POST /api/oauth/revoke: an integration revokes one of its access tokens (RFC 7009)."""

from __future__ import annotations

from eckospace.http.oauth import OAUTH_SECURITY, oauth_json, oauth_request, use_oauth_errors
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
    security=OAUTH_SECURITY,
    responses={200: {"description": "Revoked (or nothing to revoke)"},
               400: {"description": "invalid_request, or unauthorized_client for another client's token"},
               401: {"description": "invalid_client"}},
)
def revoke():
    revoke_token(oauth_request(app), verifier().verify)
    return oauth_json(None)


lambda_handler = entrypoint(app)
