"""POST /api/conversations/{conversation_id}/messages/{message_id}/reports: report a message to the moderators."""

from typing import Annotated

from eckospace.chat.moderation import report_message
from eckospace.http.auth import current_principal, requires
from eckospace.http.chat_routes import CONVERSATION, MESSAGE
from eckospace.http.moderation_routes import DAILY_ALLOWANCE, body, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.moderation.models import NewReport

app = make_resolver()


@app.post(
    "/api/conversations/<conversation_id>/messages/<message_id>/reports",
    summary="Report a message",
    description=(
        "Queues someone else's message for moderation, with a snapshot of it as it is now: moderators judge it from "
        "the report and never read the conversation. While your report is open, another by you on this message is "
        "409. Reports of posts and messages share one daily allowance."
    ),
    tags=["Moderation"],
    responses={
        201: body("Report", "The report, with the message's `snapshot`"),
        404: problem(
            "No such conversation that you are a member of, or no such message in it (a deleted one included)"
        ),
        409: problem(
            "The message is your own, you already have an open report on it, or the report could not be written "
            "(retry after `Retry-After`)"
        ),
        **PROBLEM_RESPONSES,
        429: DAILY_ALLOWANCE,
    },
    **requires("chat:write", tokens=("user",)),
)
def create_report(
    conversation_id: Annotated[str, CONVERSATION], message_id: Annotated[str, MESSAGE], report: NewReport
):
    created = report_message(
        conversation_id, current_principal(app).subject, message_id, reason=report.reason, note=report.note
    )
    return json_response(created, status=201, headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
