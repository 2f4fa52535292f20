"""POST /api/moderation/conversations/{conversation_id}/messages/{message_id}/decisions: remove a
reported message, or dismiss its reports."""

from typing import Annotated

from eckospace.chat.live import announce
from eckospace.chat.moderation import decide
from eckospace.http.auth import current_principal, requires
from eckospace.http.chat_routes import CONVERSATION, MESSAGE
from eckospace.http.moderation_routes import body, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.moderation.models import MessageDecision

app = make_resolver()


@app.post(
    "/api/moderation/conversations/<conversation_id>/messages/<message_id>/decisions",
    summary="Decide on a message",
    description="Applies the action, resolves every open report of the message with it, and publishes "
    "`moderation.decided`. A removal is broadcast to the conversation's members as their author's deletion is "
    "(`message.deleted`).",
    tags=["Moderation"],
    responses={
        201: body("ModerationDecision", "The decision, with the number of reports it resolved"),
        404: problem("No such message"),
        **PROBLEM_RESPONSES,
    },
    **requires("moderation:write"),
)
def create_decision(
    conversation_id: Annotated[str, CONVERSATION], message_id: Annotated[str, MESSAGE], decision: MessageDecision
):
    made, tombstone = decide(
        conversation_id, message_id, current_principal(app).subject, action=decision.action, reason=decision.reason
    )
    if tombstone:
        announce(conversation_id, "message.deleted", tombstone, except_socket=None)
    return json_response(made, status=201, headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
