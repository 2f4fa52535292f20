"""DELETE /api/conversations/{conversation_id}/messages/{message_id}: delete your message."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response

from eckospace.chat.live import announce
from eckospace.chat.messages import delete_message
from eckospace.http.auth import current_principal, requires
from eckospace.http.chat_routes import CONVERSATION, MESSAGE, SOCKET_ID, empty, problem, socket
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, make_resolver

app = make_resolver()


@app.delete(
    "/api/conversations/<conversation_id>/messages/<message_id>",
    summary="Delete your message",
    description=(
        "Leaves a tombstone in its place: the history keeps its number, author and times, with `deleted` and "
        "no text or attachments. Idempotent. Members following `private-conversations.{conversation_id}` get "
        "`message.deleted`."
    ),
    tags=["Chat"],
    responses={
        204: empty("Deleted"),
        403: problem("Missing API key, the token lacks `chat:write` or is not a user's, or the message is not yours"),
        404: problem("No such conversation that you are a member of, or no such message in it"),
        **{status: answer for status, answer in PROBLEM_RESPONSES.items() if status != 403},
    },
    **requires("chat:write", tokens=("user",)),
)
def remove(
    conversation_id: Annotated[str, CONVERSATION],
    message_id: Annotated[str, MESSAGE],
    socket_id: Annotated[str | None, SOCKET_ID] = None,
):
    tombstone = delete_message(conversation_id, current_principal(app).subject, message_id)
    if tombstone:
        announce(conversation_id, "message.deleted", tombstone, except_socket=socket(socket_id))
    return Response(status_code=204, body="")


lambda_handler = entrypoint(app)
