"""DELETE /api/jobs/{job_id}/save: forget a saved job."""

from eckospace.http.marketplace_routes import JOBS, unsave_route
from eckospace.http.resolver import entrypoint, make_resolver

app = make_resolver()
unsave_route(app, JOBS)

lambda_handler = entrypoint(app)
