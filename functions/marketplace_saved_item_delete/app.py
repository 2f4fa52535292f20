"""DELETE /api/listings/{listing_id}/save: forget a saved listing."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response

from eckospace.http.auth import current_principal, requires
from eckospace.http.marketplace_routes import LISTING, empty
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, make_resolver
from eckospace.marketplace.saved import unsave

app = make_resolver()


@app.delete(
    "/api/listings/<listing_id>/save",
    summary="Unsave a listing",
    description="Idempotent: a listing you have not saved stays unsaved.",
    tags=["Saved items"],
    responses={204: empty("Not saved (any more)"), **PROBLEM_RESPONSES},
    **requires("marketplace:write", tokens=("user",)),
)
def delete_saved_item(listing_id: Annotated[str, LISTING]):
    unsave(current_principal(app).subject, listing_id)
    return Response(status_code=204, body="")


lambda_handler = entrypoint(app)
