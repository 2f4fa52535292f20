"""POST /api/jobs/{job_id}/renew: renew your job post."""

from eckospace.http.marketplace_routes import JOBS, owner_action
from eckospace.http.resolver import entrypoint, make_resolver

app = make_resolver()
owner_action(
    app,
    JOBS,
    "renew",
    path="renew",
    summary="Renew your job",
    description=(
        "A published or expired job is published for 30 days from now (an expired one without a new review: "
        "nothing in it changed)."
    ),
)

lambda_handler = entrypoint(app)
