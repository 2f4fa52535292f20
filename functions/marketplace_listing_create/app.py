"""POST /api/listings: create a listing, as a draft (Idempotency-Key supported)."""

from eckospace.http.marketplace_create import create_route
from eckospace.http.marketplace_routes import LISTINGS
from eckospace.http.resolver import entrypoint, make_resolver
from eckospace.marketplace import listings
from eckospace.marketplace.inputs import ListingFields

app = make_resolver()
create_route(
    app,
    LISTINGS,
    ListingFields,
    listings.create,
    description=(
        "Saves a draft, visible to you alone; `POST /api/listings/{listing_id}/submit` sends it to review. "
        "Attachments must be your own `ready` media; any other media id is refused with 422 naming it."
    ),
    invalid="A field or an attachment breaks a rule",
)

lambda_handler = entrypoint(app)
