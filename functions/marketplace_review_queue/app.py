"""GET /api/review/listings: listings waiting for review, oldest first."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.auth import requires
from eckospace.http.marketplace_routes import CURSOR, LIMIT, body
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.marketplace.browse import review_queue

app = make_resolver()


@app.get(
    "/api/review/listings",
    summary="The listing review queue",
    description="Listings in `pending_review`, the longest waiting first. A decision takes one out.",
    tags=["Marketplace review"],
    responses={200: body("ListingPage", "`data` (listings) and `next_cursor`"), **PROBLEM_RESPONSES},
    **requires("review:read"),
)
def list_pending(limit: Annotated[str, LIMIT] = "20", cursor: Annotated[str | None, CURSOR] = None):
    return json_response(review_queue(limit=int(limit), cursor=cursor), headers={"Cache-Control": "private, no-store"})


lambda_handler = entrypoint(app)
