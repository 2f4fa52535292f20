"""POST /api/auth/session: exchange a one-time sign-in code for a user session."""

from __future__ import annotations

from eckospace.http.identity_routes import NO_STORE_HEADERS, body, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.identity.models import SessionRequest
from eckospace.identity.oauth import NO_STORE
from eckospace.identity.sessions import exchange_sign_in_code

app = make_resolver()


@app.post(
    "/api/auth/session",
    summary="Start a user session from a sign-in code",
    description=(
        "Called by the front end's server (with its API key) with the code from the sign-in redirect and the "
        "browser binding: the value of the `__Host-eckospace-sign-in` cookie that came with the browser's "
        "request for that page. A binding from another browser is a 403 and leaves the code unspent."
    ),
    tags=["Sign-in"],
    security=[{"apiKey": []}],
    responses={
        200: body("Session", "The session", NO_STORE_HEADERS),
        **PROBLEM_RESPONSES,
        400: problem("The body is invalid"),
        401: problem("The code is unknown, expired or already used: sign in again"),
        403: problem(
            "Missing API key, or `urn:eckospace:problem:sign-in-browser-mismatch`: the binding is "
            "another browser's (the code is left unspent)"
        ),
    },
)
def create_session(request: SessionRequest):
    return json_response(exchange_sign_in_code(request.code, request.binding), headers=dict(NO_STORE))


lambda_handler = entrypoint(app)
