"""POST /api/review/jobs/{job_id}/decisions: publish or reject a job post in review."""

from eckospace.http.marketplace_routes import JOBS, review_decision_route
from eckospace.http.resolver import entrypoint, make_resolver

app = make_resolver()
review_decision_route(app, JOBS)

lambda_handler = entrypoint(app)
