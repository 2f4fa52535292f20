"""GET /social-login/callback/google: finish a Google sign-in and hand the front end a one-time code."""

from __future__ import annotations

import urllib.parse
from typing import Annotated

from aws_lambda_powertools.event_handler import Response

from eckospace.http.identity_routes import empty, header, problem
from eckospace.http.params import Query
from eckospace.http.resolver import entrypoint, make_resolver
from eckospace.identity import settings
from eckospace.identity.binding import COOKIE_NAME, from_cookies
from eckospace.identity.google import finish_sign_in
from eckospace.identity.sessions import new_sign_in_code

app = make_resolver()


@app.get(
    "/social-login/callback/google",
    summary="Google redirects here after sign-in",
    description=(
        f"Checks the state and that this browser started the sign-in (its `{COOKIE_NAME}` cookie), exchanges "
        "the code, verifies the ID token, finds or creates the user, then redirects to the front end with a "
        "one-time `code` (valid 60 s) to exchange at POST /api/auth/session with the same cookie's value. "
        "No token ever travels in a URL."
    ),
    tags=["Sign-in"],
    security=[],
    responses={
        302: empty(
            "To the front end, with a one-time code",
            {
                "Location": header(
                    "The front end's sign-in page (`SignInCompleteUrl`) with `code`, the one-time sign-in code",
                    required=True,
                ),
                "Cache-Control": header("`no-store`"),
                "Referrer-Policy": header("`no-referrer`"),
            },
        ),
        400: problem(
            "`urn:eckospace:problem:invalid-request`: the state or the code is missing, or the "
            "state is unknown, expired or already used; `urn:eckospace:problem:sign-in-refused`: "
            "the sign-in was cancelled or refused at the provider, or the provider's code or "
            "identity token was refused, or the account's email address is not verified"
        ),
        403: problem(
            "`urn:eckospace:problem:sign-in-browser-mismatch`: the sign-in cookie is missing or "
            "another browser's (nothing is consumed)"
        ),
    },
)
def google_callback(
    state: Annotated[
        str, Query(description="The state the sign-in was started with, as the provider returns it", min_length=1)
    ],
    code: Annotated[
        str | None, Query(description="The provider's authorization code; absent when the sign-in failed there")
    ] = None,
    error: Annotated[
        str | None,
        Query(
            description="The provider's error code (RFC 6749 section 4.1.2.1), when "
            "the sign-in was cancelled or refused there"
        ),
    ] = None,
):
    binding = from_cookies(app.current_event.raw_event)
    user = finish_sign_in({"state": state, "code": code, "error": error}, binding)
    sign_in_code = new_sign_in_code(user.id, binding)
    target = f"{settings.SIGN_IN_COMPLETE_URL()}?{urllib.parse.urlencode({'code': sign_in_code})}"
    return Response(
        status_code=302, headers={"Location": target, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    )


lambda_handler = entrypoint(app)
