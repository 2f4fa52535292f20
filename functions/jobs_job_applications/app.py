"""GET /api/jobs/{job_id}/applications: the applications to your job, newest first."""

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.marketplace_routes import CURSOR, JOBS, LIMIT, body
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.marketplace.browse import applications_to

app = make_resolver()


@app.get(
    "/api/jobs/<job_id>/applications",
    summary="Applications to your job",
    description="The job's employer alone (404 to anyone else, the candidates too), newest first.",
    tags=["Jobs"],
    responses={
        200: body("ApplicationPage", "`data` (applications) and `next_cursor`"),
        404: JOBS.not_found(),
        **PROBLEM_RESPONSES,
    },
    **requires("marketplace:read", tokens=("user",)),
)
def list_job_applications(
    job_id: Annotated[str, JOBS.id()],
    limit: Annotated[str, LIMIT] = "20",
    cursor: Annotated[str | None, CURSOR] = None,
):
    page = applications_to(job_id, current_principal(app).subject, limit=int(limit), cursor=cursor)
    return json_response(page, headers={"Cache-Control": "private, no-store"})


lambda_handler = entrypoint(app)
