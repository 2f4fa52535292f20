"""POST /api/jobs/{job_id}/contacts: ask a job's employer about it, privately."""

from eckospace.http.marketplace_contact import contact_route
from eckospace.http.marketplace_routes import JOBS
from eckospace.http.resolver import entrypoint, make_resolver

app = make_resolver()
contact_route(app, JOBS)
lambda_handler = entrypoint(app)
