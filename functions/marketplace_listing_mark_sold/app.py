"""POST /api/listings/{listing_id}/mark-sold: mark your listing sold."""

from eckospace.http.marketplace_routes import seller_action
from eckospace.http.resolver import entrypoint, make_resolver

app = make_resolver()
seller_action(
    app,
    "mark_sold",
    path="mark-sold",
    summary="Mark your listing sold",
    description=(
        "A published listing becomes `sold`: out of browsing and saved items, for good; publishes `listing.sold`."
    ),
)

lambda_handler = entrypoint(app)
