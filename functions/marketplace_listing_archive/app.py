"""POST /api/listings/{listing_id}/archive: archive your listing."""

from eckospace.http.marketplace_routes import LISTINGS, owner_action
from eckospace.http.resolver import entrypoint, make_resolver

app = make_resolver()
owner_action(
    app,
    LISTINGS,
    "archive",
    path="archive",
    summary="Archive your listing",
    description="Withdraws any listing not yet sold or archived, for good.",
)

lambda_handler = entrypoint(app)
