"""GET /social-login/redirect/google: start a Google sign-in (authorization code flow, PKCE)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from eckospace.http.resolver import entrypoint, make_resolver
from eckospace.identity.google import start_sign_in

app = make_resolver()


@app.get(
    "/social-login/redirect/google",
    summary="Start signing in with Google",
    description="Redirects the browser to Google with a fresh single-use state, a nonce and a PKCE challenge.",
    tags=["Sign-in"],
    security=[],
    responses={302: {"description": "To the provider's authorization endpoint"}},
)
def redirect_to_google():
    return Response(status_code=302, headers={"Location": start_sign_in(), "Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
