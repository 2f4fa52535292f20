"""POST /api/listings/{listing_id}/contacts: ask a listing's seller about it, privately."""

from eckospace.http.marketplace_contact import contact_route
from eckospace.http.marketplace_routes import LISTINGS
from eckospace.http.resolver import entrypoint, make_resolver

app = make_resolver()
contact_route(app, LISTINGS)
lambda_handler = entrypoint(app)
