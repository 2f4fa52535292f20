"""GET /api/applications/{application_id}: one application, to its candidate or the job's employer."""

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.marketplace_routes import APPLICATION_ETAG, body, problem
from eckospace.http.params import Path
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.marketplace.applications import etag, read, view

app = make_resolver()


@app.get(
    "/api/applications/<application_id>",
    summary="An application",
    description=(
        "To its candidate and to the job's employer alone (404 to anyone else). The document's links are "
        "short-lived: read the application again for fresh ones."
    ),
    tags=["Jobs"],
    responses={
        200: body("Application", "The application", APPLICATION_ETAG),
        404: problem("No such application that you can see"),
        **PROBLEM_RESPONSES,
    },
    **requires("marketplace:read", tokens=("user",)),
)
def get_application(application_id: Annotated[str, Path(max_length=64, description="The application's id")]):
    application = read(application_id, current_principal(app).subject)
    return json_response(view(application), headers={"ETag": etag(application), "Cache-Control": "private, no-store"})


lambda_handler = entrypoint(app)
