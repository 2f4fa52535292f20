"""DELETE /api/conversations/{conversation_id}/members/{user_id}: leave a group, or remove someone."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response

from eckospace.chat.groups import remove
from eckospace.chat.live import announce, shut_out
from eckospace.http.auth import current_principal, requires
from eckospace.http.chat_routes import CONVERSATION, USER, empty, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, make_resolver

app = make_resolver()


@app.delete(
    "/api/conversations/<conversation_id>/members/<user_id>",
    summary="Leave a group, or remove a member",
    description=(
        "Your own user id: you leave (the owner leaves last). Someone else's: the owner removes anyone, an admin "
        "removes members."
    ),
    tags=["Chat"],
    responses={
        204: empty("Left, or removed"),
        403: problem("Missing API key, the token lacks `chat:write` or is not a user's, or you may not remove them"),
        404: problem("No such conversation that you are a member of, or no such member in it"),
        409: problem(
            "A direct conversation, the owner leaving others behind, or the group was changing (retry after "
            "`Retry-After`)"
        ),
        **{status: answer for status, answer in PROBLEM_RESPONSES.items() if status != 403},
    },
    **requires("chat:write", tokens=("user",)),
)
def delete_member(conversation_id: Annotated[str, CONVERSATION], user_id: Annotated[str, USER]):
    remove(conversation_id, current_principal(app).subject, user_id)
    removed = {"conversation_id": conversation_id, "user_id": user_id}
    announce(conversation_id, "member.removed", removed, except_socket=None)
    shut_out(conversation_id, user_id)
    return Response(status_code=204, body="")


lambda_handler = entrypoint(app)
