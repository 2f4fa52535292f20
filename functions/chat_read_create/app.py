"""POST /api/conversations/{conversation_id}/read: mark messages read."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from eckospace.chat.live import announce
from eckospace.chat.messages import mark_read
from eckospace.http.auth import current_principal, requires
from eckospace.http.chat_routes import CONVERSATION, SOCKET_ID, body, problem, socket
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver

app = make_resolver()


class ReadUpTo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message_id: str | None = Field(
        default=None, max_length=64, description="The last message read (the newest if absent)"
    )


_LATEST = ReadUpTo()  # no body: up to the newest message


@app.post(
    "/api/conversations/<conversation_id>/read",
    summary="Mark messages read",
    description=(
        "Moves your read state forward to `message_id` (or the newest message); never back. When it moves, "
        "members following `private-conversations.{conversation_id}` get `conversation.read`."
    ),
    tags=["Chat"],
    responses={
        200: body("ReadState", "Your read state"),
        404: problem("No such conversation that you are a member of, or no such message in it"),
        409: problem("Your read state was changing; try again after `Retry-After`"),
        **PROBLEM_RESPONSES,
    },
    **requires("chat:write", tokens=("user",)),
)
def read(
    conversation_id: Annotated[str, CONVERSATION],
    request: ReadUpTo = _LATEST,
    socket_id: Annotated[str | None, SOCKET_ID] = None,
):
    state, moved = mark_read(conversation_id, current_principal(app).subject, request.message_id)
    if moved:
        announce(conversation_id, "conversation.read", state, except_socket=socket(socket_id))
    return json_response(state, headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
