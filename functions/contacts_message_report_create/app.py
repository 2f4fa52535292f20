"""POST /api/contacts/{contact_id}/messages/{message_id}/reports: report a relayed message to the moderators."""

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.marketplace_routes import CONTACT_ID, CONTACT_MESSAGE_ID
from eckospace.http.moderation_routes import DAILY_ALLOWANCE, body, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.marketplace.contact_moderation import report_message
from eckospace.moderation.models import NewReport

app = make_resolver()


@app.post(
    "/api/contacts/<contact_id>/messages/<message_id>/reports",
    summary="Report a contact's message",
    description=(
        "Queues the other person's message in a relayed contact for moderation, with a snapshot of it: moderators "
        "judge it from the report and never read the contact. While your report is open, another by you on this "
        "message is 409. All your reports share one daily allowance. (In a chat contact, report the chat message.)"
    ),
    tags=["Moderation"],
    responses={
        201: body("Report", "The report, with the message's `snapshot`"),
        404: problem("No such contact that you are part of, or no such message in it (a removed one included)"),
        409: problem(
            "The message is your own, you already have an open report on it, the contact is a chat conversation "
            "(`conversation_id`), or the report could not be written (retry after `Retry-After`)"
        ),
        **PROBLEM_RESPONSES,
        429: DAILY_ALLOWANCE,
    },
    **requires("marketplace:write", tokens=("user",)),
)
def create_report(
    contact_id: Annotated[str, CONTACT_ID], message_id: Annotated[str, CONTACT_MESSAGE_ID], report: NewReport
):
    created = report_message(
        contact_id, current_principal(app).subject, message_id, reason=report.reason, note=report.note
    )
    return json_response(created, status=201, headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
