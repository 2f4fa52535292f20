"""POST /api/moderation/listings/{listing_id}/decisions: take a reported listing down, or dismiss
its reports."""

from eckospace.http.marketplace_reports import moderation_decision_route
from eckospace.http.marketplace_routes import LISTINGS
from eckospace.http.resolver import entrypoint, make_resolver

app = make_resolver()
moderation_decision_route(app, LISTINGS)

lambda_handler = entrypoint(app)
