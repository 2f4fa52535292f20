"""GET /api/review/jobs: job posts waiting for review, oldest first."""

from eckospace.http.marketplace_pages import review_queue_route
from eckospace.http.marketplace_routes import JOBS
from eckospace.http.resolver import entrypoint, make_resolver

app = make_resolver()
review_queue_route(app, JOBS)

lambda_handler = entrypoint(app)
