"""GET /api/saved-items: your saved listings, newest save first."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.marketplace_routes import CURSOR, LIMIT, body
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.marketplace.browse import saved_page

app = make_resolver()


@app.get(
    "/api/saved-items",
    summary="Your saved items",
    description=(
        "Newest save first. Listings no longer published (sold, archived, expired, back in review) drop out, so a "
        "page may be shorter than `limit` and still have a `next_cursor`."
    ),
    tags=["Saved items"],
    responses={200: body("SavedItemPage", "`data` (saved items) and `next_cursor`"), **PROBLEM_RESPONSES},
    **requires("marketplace:read", tokens=("user",)),
)
def list_saved_items(limit: Annotated[str, LIMIT] = "20", cursor: Annotated[str | None, CURSOR] = None):
    page = saved_page(current_principal(app).subject, limit=int(limit), cursor=cursor)
    return json_response(page, headers={"Cache-Control": "private, no-cache"})


lambda_handler = entrypoint(app)
