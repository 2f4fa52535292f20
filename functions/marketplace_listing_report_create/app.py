"""POST /api/listings/{listing_id}/reports: report a listing to the moderators."""

from eckospace.http.marketplace_reports import report_route
from eckospace.http.marketplace_routes import LISTINGS
from eckospace.http.resolver import entrypoint, make_resolver

app = make_resolver()
report_route(app, LISTINGS)

lambda_handler = entrypoint(app)
