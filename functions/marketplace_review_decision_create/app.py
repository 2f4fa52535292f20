"""POST /api/review/listings/{listing_id}/decisions: publish or reject a listing in review."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from eckospace.http.auth import current_principal, requires
from eckospace.http.marketplace_routes import CHANGED, IF_MATCH, ILLEGAL, LISTING, NOT_FOUND, body, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.marketplace.review import decide

app = make_resolver()


class NewListingDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["approve", "reject"] = Field(
        description="`approve`: published for 30 days; `reject`: back to its seller with the reason"
    )
    reason: str = Field(min_length=1, max_length=500, description="Why; a rejection's reason is shown to the seller")


@app.post(
    "/api/review/listings/<listing_id>/decisions",
    summary="Decide on a listing in review",
    description=(
        "Publishes or rejects a listing in `pending_review` and publishes `listing.published` or "
        "`listing.rejected`. Send the `ETag` you reviewed as `If-Match`: if the seller edited the listing since, "
        "the decision is refused (412) rather than applied to what you did not see."
    ),
    tags=["Marketplace review"],
    responses={
        201: body("ListingDecision", "The decision, with the listing as it left it"),
        404: NOT_FOUND,
        409: ILLEGAL,
        412: CHANGED,
        **PROBLEM_RESPONSES,
        403: problem("Missing API key, the token lacks a required scope, or the listing is your own"),
    },
    **requires("review:write"),
)
def create_decision(
    listing_id: Annotated[str, LISTING], decision: NewListingDecision, if_match: Annotated[str | None, IF_MATCH] = None
):
    made = decide(
        listing_id, current_principal(app).subject, action=decision.action, reason=decision.reason, if_match=if_match
    )
    return json_response(made, status=201, headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
