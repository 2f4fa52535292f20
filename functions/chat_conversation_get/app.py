"""GET /api/conversations/{conversation_id}: one of your conversations, with its members."""

from __future__ import annotations

from typing import Annotated

from eckospace.chat.conversations import read_conversation
from eckospace.http.auth import current_principal, requires
from eckospace.http.chat_routes import CONVERSATION, NOT_A_MEMBER, body
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver

app = make_resolver()


@app.get(
    "/api/conversations/<conversation_id>",
    summary="A conversation",
    description="With its members and your exact unread count. 404 unless you are a member.",
    tags=["Chat"],
    responses={200: body("Conversation", "The conversation"), 404: NOT_A_MEMBER, **PROBLEM_RESPONSES},
    **requires("chat:read", tokens=("user",)),
)
def get_conversation(conversation_id: Annotated[str, CONVERSATION]):
    conversation = read_conversation(conversation_id, current_principal(app).subject)
    return json_response(conversation, headers={"Cache-Control": "private, no-cache"})


lambda_handler = entrypoint(app)
