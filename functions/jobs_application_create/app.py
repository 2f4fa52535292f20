"""POST /api/jobs/{job_id}/applications: apply to a job, with your CV and a cover note."""

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.marketplace_routes import JOBS, body, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.marketplace.applications import apply, etag, view
from eckospace.marketplace.job_inputs import NewApplication

app = make_resolver()


@app.post(
    "/api/jobs/<job_id>/applications",
    summary="Apply to a job",
    description=(
        "For a published job whose `application.type` is `in_app`. `document` is your own `ready` media (upload it "
        "first): the job's employer reads it through this application alone, and it is never made public. One "
        "application per job: another is a 409 `already-applied` naming the first (`application_id`), so a retry "
        "never applies twice."
    ),
    tags=["Jobs"],
    responses={
        201: body("Application", "Your application, `submitted`"),
        404: JOBS.not_found(),
        409: problem(
            "You applied already (`application_id`), the job is your own, takes applications elsewhere, or is not "
            "published (`current_status`)"
        ),
        422: problem("`document` is not one of your ready media"),
        **PROBLEM_RESPONSES,
    },
    **requires("marketplace:write", tokens=("user",)),
)
def create_application(job_id: Annotated[str, JOBS.id()], sent: NewApplication):
    made = apply(job_id, current_principal(app).subject, document=sent.document, cover_note=sent.cover_note)
    return json_response(
        view(made),
        status=201,
        headers={"Location": f"/api/applications/{made['id']}", "ETag": etag(made), "Cache-Control": "no-store"},
    )


lambda_handler = entrypoint(app)
