"""DELETE /api/conversations/{conversation_id}/mute: unmute a conversation."""

from __future__ import annotations

from typing import Annotated

from eckospace.chat.groups import mute
from eckospace.http.auth import current_principal, requires
from eckospace.http.chat_routes import CONVERSATION, NOT_A_MEMBER, body
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver

app = make_resolver()


@app.delete(
    "/api/conversations/<conversation_id>/mute",
    summary="Unmute a conversation",
    description="Your own setting (`muted`), for any of your conversations: clients notify nothing for muted ones.",
    tags=["Chat"],
    responses={200: body("Conversation", "Not muted"), 404: NOT_A_MEMBER, **PROBLEM_RESPONSES},
    **requires("chat:write", tokens=("user",)),
)
def mute_off(conversation_id: Annotated[str, CONVERSATION]):
    conversation = mute(conversation_id, current_principal(app).subject, muted=False)
    return json_response(conversation, headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
