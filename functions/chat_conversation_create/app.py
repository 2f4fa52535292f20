"""POST /api/conversations: open a direct conversation (the one that exists, or a new one)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from eckospace.chat.conversations import open_direct
from eckospace.http.auth import current_principal, requires
from eckospace.http.chat_routes import body, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver

app = make_resolver()


class NewConversation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["direct"]
    user_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="The other person's user id")


@app.post(
    "/api/conversations",
    summary="Open a conversation",
    description=(
        "A direct conversation with `user_id`: the one you two already have (200), or a new one (201). Two "
        "people opening it at the same moment get the same conversation."
    ),
    tags=["Chat"],
    responses={
        200: body("Conversation", "The direct conversation you two already have"),
        201: body("Conversation", "The new conversation"),
        403: problem(
            "Missing API key, the token lacks `chat:write` or is not a user's, `user_id` is your own, or one of you "
            "blocked the other"
        ),
        **{status: answer for status, answer in PROBLEM_RESPONSES.items() if status != 403},
    },
    **requires("chat:write", tokens=("user",)),
)
def create(request: NewConversation):
    user = current_principal(app).subject
    conversation, created = open_direct(user, request.user_id)
    return json_response(conversation, status=201 if created else 200, headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
