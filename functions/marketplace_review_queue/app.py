"""GET /api/review/listings: listings waiting for review, oldest first."""

from eckospace.http.marketplace_pages import review_queue_route
from eckospace.http.marketplace_routes import LISTINGS
from eckospace.http.resolver import entrypoint, make_resolver

app = make_resolver()
review_queue_route(app, LISTINGS)

lambda_handler = entrypoint(app)
