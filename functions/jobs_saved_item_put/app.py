"""PUT /api/jobs/{job_id}/save: save a published job."""

from eckospace.http.marketplace_routes import JOBS, save_route
from eckospace.http.resolver import entrypoint, make_resolver

app = make_resolver()
save_route(app, JOBS)

lambda_handler = entrypoint(app)
