"""POST /api/auth/refresh: rotate a refresh token for a new access token."""

from __future__ import annotations

from eckospace.http.identity_routes import NO_STORE_HEADERS, body, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.identity.models import RefreshRequest
from eckospace.identity.oauth import NO_STORE
from eckospace.identity.sessions import refresh

app = make_resolver()


@app.post(
    "/api/auth/refresh",
    summary="Refresh a user session",
    description=(
        "Each refresh token works once and is replaced by the one in the answer. Presenting a used one "
        "again revokes the whole session (someone else holds a copy)."
    ),
    tags=["Sign-in"],
    security=[{"apiKey": []}],
    responses={
        200: body("Session", "The renewed session, with a new refresh token", NO_STORE_HEADERS),
        **PROBLEM_RESPONSES,
        401: problem(
            "The refresh token is unknown, expired or already used (a reuse ends the whole "
            "session), the session has ended (logged out or revoked), or it has reached its "
            "maximum lifetime: sign in again"
        ),
    },
)
def refresh_session(request: RefreshRequest):
    return json_response(refresh(request.refresh_token), headers=dict(NO_STORE))


lambda_handler = entrypoint(app)
