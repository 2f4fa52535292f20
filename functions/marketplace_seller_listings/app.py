"""GET /api/users/{user_id}/listings: a seller's listings, newest first."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.marketplace_routes import CURSOR, LIMIT, body
from eckospace.http.params import Path
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.marketplace.browse import seller_listings

app = make_resolver()


@app.get(
    "/api/users/<user_id>/listings",
    summary="A seller's listings",
    description=(
        "Newest first. Your own holds every listing of yours, whatever its status; anyone else's holds only its "
        "published ones (a page may then be shorter than `limit` and still have a `next_cursor`)."
    ),
    tags=["Marketplace"],
    responses={200: body("ListingPage", "`data` (listings) and `next_cursor`"), **PROBLEM_RESPONSES},
    **requires("marketplace:read"),
)
def list_seller_listings(
    user_id: Annotated[str, Path(max_length=128)],
    limit: Annotated[str, LIMIT] = "20",
    cursor: Annotated[str | None, CURSOR] = None,
):
    page = seller_listings(user_id, current_principal(app).subject, limit=int(limit), cursor=cursor)
    return json_response(page, headers={"Cache-Control": "private, no-cache"})


lambda_handler = entrypoint(app)
