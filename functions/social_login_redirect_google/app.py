"""GET /social-login/redirect/google: start a Google sign-in (authorization code flow, PKCE)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from eckospace.http.identity_routes import empty, header
from eckospace.http.resolver import entrypoint, make_resolver
from eckospace.identity.binding import COOKIE_NAME, set_cookie
from eckospace.identity.google import BINDING_COOKIE_SECONDS, start_sign_in

app = make_resolver()


@app.get(
    "/social-login/redirect/google",
    summary="Start signing in with Google",
    description=(
        "Redirects the browser to Google with a fresh single-use state, a nonce and a PKCE challenge, and "
        f"binds the sign-in to this browser with the `{COOKIE_NAME}` cookie (random, HttpOnly, Secure, "
        f"SameSite=Lax, {BINDING_COOKIE_SECONDS} s): the callback and the code exchange need it."
    ),
    tags=["Sign-in"],
    security=[],
    responses={
        302: empty(
            "To the provider's authorization endpoint",
            {
                "Location": header(
                    "The provider's authorization endpoint, with `response_type=code`, `client_id`, "
                    "`redirect_uri`, `scope`, `state`, `nonce`, `code_challenge` and "
                    "`code_challenge_method=S256`",
                    required=True,
                ),
                "Set-Cookie": header(
                    f"`{COOKIE_NAME}=<binding>; Path=/; Max-Age={BINDING_COOKIE_SECONDS}; Secure; HttpOnly; "
                    "SameSite=Lax`: the sign-in's browser binding",
                    required=True,
                ),
                "Cache-Control": header("`no-store`"),
            },
        )
    },
)
def redirect_to_google():
    location, binding = start_sign_in()
    return Response(
        status_code=302,
        headers={
            "Location": location,
            "Cache-Control": "no-store",
            "Set-Cookie": set_cookie(binding, max_age=BINDING_COOKIE_SECONDS),
        },
    )


lambda_handler = entrypoint(app)
