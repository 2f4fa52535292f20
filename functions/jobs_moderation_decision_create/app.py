"""POST /api/moderation/jobs/{job_id}/decisions: take a reported job post down, or dismiss its
reports."""

from eckospace.http.marketplace_reports import moderation_decision_route
from eckospace.http.marketplace_routes import JOBS
from eckospace.http.resolver import entrypoint, make_resolver

app = make_resolver()
moderation_decision_route(app, JOBS)

lambda_handler = entrypoint(app)
