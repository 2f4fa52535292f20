"""PATCH /api/conversations/{conversation_id}/messages/{message_id}: edit your message."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from eckospace.chat.live import announce
from eckospace.chat.messages import MAX_TEXT, edit_message
from eckospace.http.auth import current_principal, requires
from eckospace.http.chat_routes import CONVERSATION, MESSAGE, SOCKET_ID, body, problem, socket
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.posts.text import TEXT_PATTERN

app = make_resolver()


class MessageChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        min_length=1,
        max_length=MAX_TEXT,
        json_schema_extra={"pattern": TEXT_PATTERN},  # the service: 422
        description=f"The new text: 1 to {MAX_TEXT} characters, not blank, no control characters but newline and tab",
    )


@app.patch(
    "/api/conversations/<conversation_id>/messages/<message_id>",
    summary="Edit your message",
    description=(
        "Its author may change its text for 15 minutes after sending it; it is then `edited`. Members following "
        "`private-conversations.{conversation_id}` get `message.updated`."
    ),
    tags=["Chat"],
    responses={
        200: body("Message", "The edited message"),
        403: problem("Missing API key, the token lacks `chat:write` or is not a user's, or the message is not yours"),
        404: problem("No such conversation that you are a member of, or no such message in it (or it was deleted)"),
        409: problem("`urn:eckospace:problem:edit-window-closed`: it was sent more than 15 minutes ago"),
        422: problem("The text breaks a rule"),
        **{status: answer for status, answer in PROBLEM_RESPONSES.items() if status != 403},
    },
    **requires("chat:write", tokens=("user",)),
)
def edit(
    conversation_id: Annotated[str, CONVERSATION],
    message_id: Annotated[str, MESSAGE],
    changes: MessageChanges,
    socket_id: Annotated[str | None, SOCKET_ID] = None,
):
    message = edit_message(conversation_id, current_principal(app).subject, message_id, changes.text)
    announce(conversation_id, "message.updated", message, except_socket=socket(socket_id))
    return json_response(message, headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
