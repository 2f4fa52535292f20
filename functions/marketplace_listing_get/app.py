"""GET /api/listings/{listing_id}: one listing."""

from eckospace.http.marketplace_routes import LISTINGS, read_route
from eckospace.http.resolver import entrypoint, make_resolver

app = make_resolver()
read_route(app, LISTINGS)

lambda_handler = entrypoint(app)
