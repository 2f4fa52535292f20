"""POST /api/jobs: create a job post, as a draft (Idempotency-Key supported)."""

from eckospace.http.marketplace_create import create_route
from eckospace.http.marketplace_routes import JOBS
from eckospace.http.resolver import entrypoint, make_resolver
from eckospace.marketplace import jobs
from eckospace.marketplace.job_inputs import JobFields

app = make_resolver()
create_route(
    app,
    JOBS,
    JobFields,
    jobs.create,
    description=(
        "Saves a draft, visible to you alone; `POST /api/jobs/{job_id}/submit` sends it to review. The salary "
        "range is required (`min` not above `max`, in the currency's minor unit, per `period`). Candidates apply "
        "in the app (`application.type: in_app`) or at an https URL of yours (`external`)."
    ),
    invalid="A field breaks a rule (`salary.min` above `salary.max` is one)",
)

lambda_handler = entrypoint(app)
