"""PATCH /api/applications/{application_id}: the employer moves an application on."""

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.marketplace_routes import APPLICATION_ETAG, body, problem
from eckospace.http.params import Header, Path
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.marketplace.applications import etag, update_status, view
from eckospace.marketplace.job_inputs import ApplicationMove

app = make_resolver()


@app.patch(
    "/api/applications/<application_id>",
    summary="Move an application on",
    description=(
        "The job's employer alone: `viewed`, `shortlisted`, then `rejected` or `hired`, forward only (steps may be "
        "skipped). The candidate is notified of each move (`application_updated`). Send the `ETag` you read as "
        "`If-Match` to refuse the move (412) if the application moved since."
    ),
    tags=["Jobs"],
    responses={
        200: body("Application", "The application after the move", APPLICATION_ETAG),
        404: problem("No such application that you can see"),
        409: problem("Its status does not allow that (`current_status`, `allowed_statuses`), or it moved meanwhile"),
        412: problem("`If-Match` names another version of the application"),
        **PROBLEM_RESPONSES,
        403: problem("Missing API key, the token lacks a required scope, or you are the candidate, not the employer"),
    },
    **requires("marketplace:write", tokens=("user",)),
)
def move_application(
    application_id: Annotated[str, Path(max_length=64, description="The application's id")],
    sent: ApplicationMove,
    if_match: Annotated[str | None, Header(alias="If-Match", max_length=200)] = None,
):
    moved = update_status(application_id, current_principal(app).subject, sent.status, if_match=if_match)
    return json_response(view(moved), headers={"ETag": etag(moved), "Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
