"""POST /api/auth/logout: end the signed-in user's session."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from eckospace.errors import NotPermitted
from eckospace.http.auth import current_principal, requires
from eckospace.http.identity_routes import empty, header, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, make_resolver
from eckospace.identity.sessions import end_session

app = make_resolver()


@app.post(
    "/api/auth/logout",
    summary="End the user's session",
    description=(
        "Revokes the session the bearer token belongs to: its refresh tokens stop working at once, and its "
        "access tokens (this one included) are refused within the authorizer's cache time (five minutes). "
        "Idempotent: calling it again answers 204 until the token itself is refused (401)."
    ),
    tags=["Sign-in"],
    responses={
        204: empty("The session is over", {"Cache-Control": header("`no-store`")}),
        **PROBLEM_RESPONSES,
        403: problem(
            "Missing API key, or the token may not end a session: it is not a person's, or it "
            "belongs to no sign-in session (a developer token)"
        ),
    },
    **requires(tokens=("user",)),
)
def logout():
    session_id = current_principal(app).session_id
    if not session_id:
        raise NotPermitted("This token belongs to no sign-in session, so there is no session to end.")
    end_session(session_id)
    return Response(status_code=204, body="", headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
