"""GET /api/users/{user_id}/listings: a seller's listings, newest first."""

from eckospace.http.marketplace_pages import owner_list_route
from eckospace.http.marketplace_routes import LISTINGS
from eckospace.http.resolver import entrypoint, make_resolver

app = make_resolver()
owner_list_route(app, LISTINGS)

lambda_handler = entrypoint(app)
