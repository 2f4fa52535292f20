"""POST /api/listings/{listing_id}/mark-sold: mark your listing sold."""

from eckospace.http.marketplace_routes import LISTINGS, owner_action
from eckospace.http.resolver import entrypoint, make_resolver

app = make_resolver()
owner_action(
    app,
    LISTINGS,
    "mark_sold",
    path="mark-sold",
    summary="Mark your listing sold",
    description=(
        "A published listing becomes `sold`: out of browsing and saved items, for good; publishes `listing.sold`."
    ),
)

lambda_handler = entrypoint(app)
