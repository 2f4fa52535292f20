"""DELETE /api/listings/{listing_id}/save: forget a saved listing."""

from eckospace.http.marketplace_routes import LISTINGS, unsave_route
from eckospace.http.resolver import entrypoint, make_resolver

app = make_resolver()
unsave_route(app, LISTINGS)

lambda_handler = entrypoint(app)
