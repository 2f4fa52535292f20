"""GET /api/jobs/{job_id}: one job post."""

from eckospace.http.marketplace_routes import JOBS, read_route
from eckospace.http.resolver import entrypoint, make_resolver

app = make_resolver()
read_route(app, JOBS)

lambda_handler = entrypoint(app)
