"""PATCH /api/listings/{listing_id}: edit your listing."""

from eckospace.http.marketplace_routes import LISTINGS, edit_route
from eckospace.http.resolver import entrypoint, make_resolver
from eckospace.marketplace import listings
from eckospace.marketplace.inputs import ListingChanges

app = make_resolver()
edit_route(
    app,
    LISTINGS,
    ListingChanges,
    listings.update,
    description=(
        "Changes only the fields sent (`attachments`: the whole new list; any media id not your own `ready` media "
        "is refused with 422 naming it). A draft, pending, rejected or published listing can be edited; a sold, "
        "archived or expired one cannot (409). Changing what a reviewer judged (anything but `price`) sends a "
        "published listing back to `pending_review`."
    ),
)

lambda_handler = entrypoint(app)
