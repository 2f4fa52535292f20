"""POST /api/jobs/{job_id}/submit: submit your job post for review."""

from eckospace.http.marketplace_routes import JOBS, owner_action
from eckospace.http.resolver import entrypoint, make_resolver

app = make_resolver()
owner_action(
    app,
    JOBS,
    "submit",
    path="submit",
    summary="Submit your job for review",
    description="A draft or rejected job goes to `pending_review`; reviewers publish or reject it.",
)

lambda_handler = entrypoint(app)
