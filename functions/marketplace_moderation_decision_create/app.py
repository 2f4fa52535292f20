"""POST /api/moderation/listings/{listing_id}/decisions: take a reported listing down, or dismiss
its reports."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from eckospace.http.auth import current_principal, requires
from eckospace.http.marketplace_routes import LISTING_ID
from eckospace.http.moderation_routes import body, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.marketplace.moderation import decide
from eckospace.moderation.models import Reason

app = make_resolver()


class ListingModerationDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["take_down", "dismiss"] = Field(
        description="`take_down`: a published listing goes back to its seller as `rejected`, with the reason, to "
        "fix and submit again; `dismiss`: it stays as it is"
    )
    reason: Reason


@app.post(
    "/api/moderation/listings/<listing_id>/decisions",
    summary="Decide on a listing",
    description="Applies the action, resolves every open report of the listing with it, and publishes "
    "`moderation.decided` (and `listing.rejected` for a take-down, which tells the seller).",
    tags=["Moderation"],
    responses={
        201: body("ModerationDecision", "The decision, with the number of reports it resolved"),
        404: problem("No such listing"),
        409: problem(
            "Only a published listing can be taken down (`current_status` says what it is), or it changed meanwhile "
            "(retry after `Retry-After`)"
        ),
        **PROBLEM_RESPONSES,
    },
    **requires("moderation:write"),
)
def create_decision(listing_id: Annotated[str, LISTING_ID], decision: ListingModerationDecision):
    made = decide(listing_id, current_principal(app).subject, action=decision.action, reason=decision.reason)
    return json_response(made, status=201, headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
