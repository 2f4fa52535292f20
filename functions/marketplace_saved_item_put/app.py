"""PUT /api/listings/{listing_id}/save: save a published listing."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response

from eckospace.http.auth import current_principal, requires
from eckospace.http.marketplace_routes import LISTING, empty, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, make_resolver
from eckospace.marketplace.saved import save

app = make_resolver()


@app.put(
    "/api/listings/<listing_id>/save",
    summary="Save a listing",
    description="Idempotent: saving again keeps the first save. Only a published listing can be saved; your saved "
    "items are yours alone, and the listing shows how many people saved it (`save_count`).",
    tags=["Saved items"],
    responses={
        204: empty("Saved"),
        404: problem("No such listing that you can see"),
        409: problem("Your own listing is not published (`current_status` says what it is)"),
        **PROBLEM_RESPONSES,
    },
    **requires("marketplace:write", tokens=("user",)),
)
def put_saved_item(listing_id: Annotated[str, LISTING]):
    save(current_principal(app).subject, listing_id)
    return Response(status_code=204, body="")


lambda_handler = entrypoint(app)
