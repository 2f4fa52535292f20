"""GET /social-login/callback/google: finish a Google sign-in and hand the front end a one-time code."""

from __future__ import annotations

import urllib.parse

from aws_lambda_powertools.event_handler import Response

from eckospace.config import Settings
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, make_resolver
from eckospace.identity.binding import COOKIE_NAME, from_cookies
from eckospace.identity.google import finish_sign_in
from eckospace.identity.sessions import new_sign_in_code

COMPLETE_URL_SETTING = "ECKO_SIGN_IN_COMPLETE_URL"

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
    responses={302: {"description": "To the front end, with a one-time code"},
               400: {"description": "State missing, unknown, expired or replayed; code or ID token refused"},
               403: {"description": "The sign-in cookie is missing or another browser's (nothing is consumed)",
                     "content": PROBLEM_RESPONSES[403]["content"]}},
)
def google_callback():
    event = app.current_event.raw_event
    binding = from_cookies(event)
    user = finish_sign_in(event.get("queryStringParameters") or {}, binding)
    code = new_sign_in_code(user.id, binding)
    target = f"{Settings.require(COMPLETE_URL_SETTING)}?{urllib.parse.urlencode({'code': code})}"
    return Response(status_code=302, headers={"Location": target, "Cache-Control": "no-store",
                                              "Referrer-Policy": "no-referrer"})


lambda_handler = entrypoint(app)
