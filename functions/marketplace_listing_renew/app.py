"""POST /api/listings/{listing_id}/renew: renew your listing."""

from eckospace.http.marketplace_routes import LISTINGS, owner_action
from eckospace.http.resolver import entrypoint, make_resolver

app = make_resolver()
owner_action(
    app,
    LISTINGS,
    "renew",
    path="renew",
    summary="Renew your listing",
    description=(
        "A published or expired listing is published for 30 days from now (an expired one without "
        "a new review: nothing in it changed)."
    ),
)

lambda_handler = entrypoint(app)
