"""POST /api/jobs/{job_id}/reports: report a job post to the moderators."""

from eckospace.http.marketplace_reports import report_route
from eckospace.http.marketplace_routes import JOBS
from eckospace.http.resolver import entrypoint, make_resolver

app = make_resolver()
report_route(app, JOBS)

lambda_handler = entrypoint(app)
