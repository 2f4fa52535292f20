"""PATCH /api/listings/{listing_id}: edit your listing."""

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.marketplace_routes import CHANGED, ETAG, IF_MATCH, ILLEGAL, LISTING, NOT_FOUND, body, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.marketplace.inputs import ListingChanges
from eckospace.marketplace.listings import etag, update, view

app = make_resolver()


@app.patch(
    "/api/listings/<listing_id>",
    summary="Edit your listing",
    description=(
        "Changes only the fields sent (`attachments`: the whole new list). A draft, pending, rejected or "
        "published listing can be edited; a sold, archived or expired one cannot (409). Changing what a reviewer "
        "judged (anything but `price`) sends a published listing back to `pending_review`. Send `If-Match` with "
        "the listing's `ETag` to refuse the edit (412) if it changed since you read it."
    ),
    tags=["Marketplace"],
    responses={
        200: body("Listing", "The edited listing (unchanged if nothing sent differs)", ETAG),
        404: NOT_FOUND,
        409: ILLEGAL,
        412: CHANGED,
        422: problem("A field or an attachment breaks a rule"),
        **PROBLEM_RESPONSES,
        403: problem("Missing API key, the token lacks a required scope, or the listing is not yours"),
    },
    **requires("marketplace:write", tokens=("user",)),
)
def edit_listing(
    listing_id: Annotated[str, LISTING],
    changes: ListingChanges,
    if_match: Annotated[str | None, IF_MATCH] = None,
):
    listing = update(
        listing_id, current_principal(app).subject, changes.model_dump(exclude_unset=True), if_match=if_match
    )
    return json_response(view(listing), headers={"ETag": etag(listing), "Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
