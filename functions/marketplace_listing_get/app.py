"""GET /api/listings/{listing_id}: one listing."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response

from eckospace.http.auth import current_principal, requires
from eckospace.http.conditional import if_none_match_hits
from eckospace.http.marketplace_routes import ETAG, LISTING, NOT_FOUND, body, empty
from eckospace.http.params import Header
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.marketplace.listings import etag, read, view

app = make_resolver()


@app.get(
    "/api/listings/<listing_id>",
    summary="A listing",
    description=(
        "A published listing is anyone's to read; any other is its seller's alone (404 to everyone else). Send "
        "the `ETag` back as `If-None-Match` for a 304 while nothing changed, or as `If-Match` on a change."
    ),
    tags=["Marketplace"],
    responses={
        200: body("Listing", "The listing", ETAG),
        304: empty("Unchanged since the ETag you sent in `If-None-Match`", ETAG),
        404: NOT_FOUND,
        **PROBLEM_RESPONSES,
    },
    **requires("marketplace:read"),
)
def get_listing(
    listing_id: Annotated[str, LISTING],
    if_none_match: Annotated[str | None, Header(alias="If-None-Match", max_length=1000)] = None,
):
    listing = read(listing_id, current_principal(app).subject)
    headers = {"ETag": etag(listing), "Cache-Control": "private, no-cache"}
    if if_none_match_hits(if_none_match, headers["ETag"]):
        return Response(status_code=304, body="", headers=headers)
    return json_response(view(listing), headers=headers)


lambda_handler = entrypoint(app)
