"""POST /api/jobs/{job_id}/archive: archive your job post (filled, or no longer offered)."""

from eckospace.http.marketplace_routes import JOBS, owner_action
from eckospace.http.resolver import entrypoint, make_resolver

app = make_resolver()
owner_action(
    app,
    JOBS,
    "archive",
    path="archive",
    summary="Archive your job",
    description="Withdraws any job not yet archived, for good: once it is filled, or no longer offered.",
)

lambda_handler = entrypoint(app)
