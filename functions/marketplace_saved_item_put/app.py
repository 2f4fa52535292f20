"""PUT /api/listings/{listing_id}/save: save a published listing."""

from eckospace.http.marketplace_routes import LISTINGS, save_route
from eckospace.http.resolver import entrypoint, make_resolver

app = make_resolver()
save_route(app, LISTINGS)

lambda_handler = entrypoint(app)
