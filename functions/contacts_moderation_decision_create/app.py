"""POST /api/moderation/contacts/{contact_id}/messages/{message_id}/decisions: remove a reported
relayed message, or dismiss its reports."""

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.marketplace_routes import CONTACT_ID, CONTACT_MESSAGE_ID
from eckospace.http.moderation_routes import body, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.marketplace.contact_moderation import decide
from eckospace.moderation.models import MessageDecision

app = make_resolver()


@app.post(
    "/api/moderation/contacts/<contact_id>/messages/<message_id>/decisions",
    summary="Decide on a contact's message",
    description="Applies the action, resolves every open report of the message with it, and publishes "
    "`moderation.decided`.",
    tags=["Moderation"],
    responses={
        201: body("ModerationDecision", "The decision, with the number of reports it resolved"),
        404: problem("No such message"),
        **PROBLEM_RESPONSES,
    },
    **requires("moderation:write"),
)
def create_decision(
    contact_id: Annotated[str, CONTACT_ID],
    message_id: Annotated[str, CONTACT_MESSAGE_ID],
    decision: MessageDecision,
):
    made = decide(
        contact_id, message_id, current_principal(app).subject, action=decision.action, reason=decision.reason
    )
    return json_response(made, status=201, headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
