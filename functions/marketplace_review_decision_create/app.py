"""POST /api/review/listings/{listing_id}/decisions: publish or reject a listing in review."""

from eckospace.http.marketplace_routes import LISTINGS, review_decision_route
from eckospace.http.resolver import entrypoint, make_resolver

app = make_resolver()
review_decision_route(app, LISTINGS)

lambda_handler = entrypoint(app)
