"""Reports of listings and jobs, and moderators' decisions on them, declared once for both kinds
(`marketplace_routes.Postings`); apart, since only these functions write to the moderation queue.

The handlers' annotations name the kind's own parameters, so they are evaluated where they are
written (no `from __future__ import annotations` here)."""

from typing import Annotated, Any

from eckospace.http.auth import current_principal, requires
from eckospace.http.marketplace_routes import Postings, taking_id_as
from eckospace.http.moderation_routes import DAILY_ALLOWANCE, body, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, json_response


def report_route(app: Any, postings: Postings) -> None:
    """`POST /api/<collection>/<id>/reports`: report someone else's published posting."""
    from eckospace.moderation.models import NewReport

    def create_report(posting_id: Annotated[str, postings.id()], sent: NewReport) -> Any:
        from eckospace.marketplace.moderation import report

        made = report(posting_id, postings.kind, current_principal(app).subject, reason=sent.reason, note=sent.note)
        return json_response(made, status=201, headers={"Cache-Control": "no-store"})

    noun = postings.noun
    app.post(
        postings.path("/reports"),
        summary=f"Report a{'n' if noun[0] in 'aeiou' else ''} {noun}",
        description=(
            f"Queues someone else's published {noun} for moderation, with a snapshot of it as it is now. While your "
            f"report is open, another by you on this {noun} is 409. Reports of every kind share one daily allowance."
        ),
        tags=["Moderation"],
        responses={
            201: body("Report", f"The report, with the {noun}'s `snapshot`"),
            404: problem(f"No such published {noun}"),
            409: problem(
                f"The {noun} is your own, you already have an open report on it, or the report could not be written "
                "(retry after `Retry-After`)"
            ),
            **PROBLEM_RESPONSES,
            429: DAILY_ALLOWANCE,
        },
        **requires("marketplace:write", tokens=("user",)),
    )(taking_id_as(create_report, postings.id_param))


def moderation_decision_route(app: Any, postings: Postings) -> None:
    """`POST /api/moderation/<collection>/<id>/decisions`: take a reported posting down, or dismiss its reports."""
    from eckospace.marketplace.decisions import PostingModerationDecision

    def create_decision(posting_id: Annotated[str, postings.id()], decision: PostingModerationDecision) -> Any:
        from eckospace.marketplace.moderation import decide

        moderator = current_principal(app).subject
        made = decide(posting_id, postings.kind, moderator, action=decision.action, reason=decision.reason)
        return json_response(made, status=201, headers={"Cache-Control": "no-store"})

    noun = postings.noun
    app.post(
        f"/api/moderation/{postings.collection}/<{postings.id_param}>/decisions",
        summary=f"Decide on a{'n' if noun[0] in 'aeiou' else ''} {noun}",
        description=f"Applies the action, resolves every open report of the {noun} with it, and publishes "
        f"`moderation.decided` (and `{noun}.rejected` for a take-down, which tells the {postings.owner}).",
        tags=["Moderation"],
        responses={
            201: body("ModerationDecision", "The decision, with the number of reports it resolved"),
            404: problem(f"No such {noun}"),
            409: problem(
                f"Only a published {noun} can be taken down (`current_status` says what it is), or it changed "
                "meanwhile (retry after `Retry-After`)"
            ),
            **PROBLEM_RESPONSES,
        },
        **requires("moderation:write"),
    )(taking_id_as(create_decision, postings.id_param))
