"""POST /api/conversations/{conversation_id}/messages: send a message."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from eckospace.chat.live import announce
from eckospace.chat.messages import CLIENT_MESSAGE_ID, MAX_TEXT, send_message
from eckospace.http.auth import current_principal, requires
from eckospace.http.chat_routes import CONVERSATION, SOCKET_ID, body, problem, socket
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.posts.text import TEXT_PATTERN

app = make_resolver()


class NewMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_message_id: str = Field(
        pattern=CLIENT_MESSAGE_ID,
        description="Your client's id for this message: sending again with the same one returns the same message",
    )
    text: str = Field(
        min_length=1,
        max_length=MAX_TEXT,
        json_schema_extra={"pattern": TEXT_PATTERN},  # the service: 422
        description=f"1 to {MAX_TEXT} characters, not blank, no control characters but newline and tab",
    )
    attachments: list[str] = Field(
        default_factory=list, max_length=10, description="Ids of your own media that are `ready` (at most 10)"
    )
    reply_to: str | None = Field(default=None, max_length=64, description="The id of a message this one answers")


@app.post(
    "/api/conversations/<conversation_id>/messages",
    summary="Send a message",
    description=(
        "Messages are numbered in their conversation without gaps. A retry with the same `client_message_id` "
        "answers the message the first attempt made (200) instead of sending another. Attachments must be your own "
        "media, `ready`; members read them through presigned URLs. Members following "
        "`private-conversations.{conversation_id}` get `message.created`."
    ),
    tags=["Chat"],
    responses={
        200: body("Message", "The message an earlier send with this `client_message_id` made"),
        201: body("Message", "The message"),
        403: problem(
            "Missing API key, the token lacks `chat:write` or is not a user's, or one of you blocked the other"
        ),
        404: problem("No such conversation that you are a member of, or `reply_to` is no message of it"),
        409: problem("The conversation was too busy; send again (same `client_message_id`) after `Retry-After`"),
        422: problem("The text breaks a rule, or an attachment is not one of your ready media"),
        429: problem(
            "Your messages for this minute are used up, or the API key's rate limit or quota is exceeded; "
            "see `Retry-After`"
        ),
        **{status: answer for status, answer in PROBLEM_RESPONSES.items() if status not in (403, 429)},
    },
    **requires("chat:write", tokens=("user",)),
)
def send(
    conversation_id: Annotated[str, CONVERSATION],
    request: NewMessage,
    socket_id: Annotated[str | None, SOCKET_ID] = None,
):
    message, created = send_message(
        conversation_id,
        current_principal(app).subject,
        client_message_id=request.client_message_id,
        text=request.text,
        attachments=request.attachments,
        reply_to=request.reply_to,
    )
    if created:
        announce(conversation_id, "message.created", message, except_socket=socket(socket_id))
    return json_response(message, status=201 if created else 200, headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
