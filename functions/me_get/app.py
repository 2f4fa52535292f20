"""GET /api/me: the signed-in user."""

from __future__ import annotations

from eckospace.http.auth import current_principal, requires
from eckospace.http.problems import NotFound
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.identity import users

app = make_resolver()


@app.get(
    "/api/me",
    summary="The signed-in user",
    tags=["Sign-in"],
    responses={200: {"description": "The user", "content": {"application/json": {"model": "eckospace.identity.models:Me"}}},
               **PROBLEM_RESPONSES},
    **requires(tokens=("user",)),
)
def me():
    user = users.get(current_principal(app).subject)
    if user is None:
        raise NotFound("This session's user no longer exists.")
    return json_response(user.public(), headers={"Cache-Control": "private, no-cache"})


lambda_handler = entrypoint(app)
