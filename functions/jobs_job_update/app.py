"""PATCH /api/jobs/{job_id}: edit your job post."""

from eckospace.http.marketplace_routes import JOBS, edit_route
from eckospace.http.resolver import entrypoint, make_resolver
from eckospace.marketplace import jobs
from eckospace.marketplace.job_inputs import JobChanges

app = make_resolver()
edit_route(
    app,
    JOBS,
    JobChanges,
    jobs.update,
    description=(
        "Changes only the fields sent (`salary`, `location` and `application` are replaced whole). A draft, "
        "pending, rejected or published job can be edited; an archived or expired one cannot (409). Any change "
        "to a published job sends it back to `pending_review`: reviewers judged all of it, the pay and where to "
        "apply first."
    ),
)

lambda_handler = entrypoint(app)
