"""DELETE /api/users/{user_id}/block: unblock someone."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response

from eckospace.chat.blocks import unblock
from eckospace.http.auth import current_principal, requires
from eckospace.http.chat_routes import USER, empty
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, make_resolver

app = make_resolver()


@app.delete(
    "/api/users/<user_id>/block",
    summary="Unblock someone",
    description="Idempotent: 204 whether or not you had blocked them.",
    tags=["Chat"],
    responses={204: empty("Not blocked (any more)"), **PROBLEM_RESPONSES},
    **requires("chat:write", tokens=("user",)),
)
def delete_block(user_id: Annotated[str, USER]):
    unblock(current_principal(app).subject, user_id)
    return Response(status_code=204, body="")


lambda_handler = entrypoint(app)
