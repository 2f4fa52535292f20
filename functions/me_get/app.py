"""GET /api/me: the signed-in user."""

from __future__ import annotations

from eckospace.errors import NotFound
from eckospace.http.auth import current_principal, requires
from eckospace.http.identity_routes import body, header, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.identity import users

app = make_resolver()


@app.get(
    "/api/me",
    summary="The signed-in user",
    tags=["Sign-in"],
    responses={
        200: body("Me", "The user", {"Cache-Control": header("`private, no-cache`")}),
        **PROBLEM_RESPONSES,
        404: problem("The session's user no longer exists"),
    },
    **requires(tokens=("user",)),
)
def me():
    user = users.get(current_principal(app).subject)
    if user is None:
        raise NotFound("This session's user no longer exists.")
    return json_response(user.public(), headers={"Cache-Control": "private, no-cache"})


lambda_handler = entrypoint(app)
