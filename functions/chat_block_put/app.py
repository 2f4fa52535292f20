"""PUT /api/users/{user_id}/block: block someone."""

from __future__ import annotations

from typing import Annotated

from eckospace.chat.blocks import block
from eckospace.http.auth import current_principal, requires
from eckospace.http.chat_routes import USER, body, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver

app = make_resolver()


@app.put(
    "/api/users/<user_id>/block",
    summary="Block someone",
    description=(
        "Neither of you can then open a direct conversation with the other or send a message in the one you "
        "have. 201 for a new block, 200 if you had blocked them already."
    ),
    tags=["Chat"],
    responses={
        200: body("Block", "You had blocked them already"),
        201: body("Block", "The block"),
        **PROBLEM_RESPONSES,
        403: problem("Missing API key, the token lacks `chat:write` or is not a user's, or `user_id` is your own"),
    },
    **requires("chat:write", tokens=("user",)),
)
def put_block(user_id: Annotated[str, USER]):
    found, created = block(current_principal(app).subject, user_id)
    return json_response(found, status=201 if created else 200, headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
