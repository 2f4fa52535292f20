"""GET /api/applications: your applications, newest first."""

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.marketplace_routes import CURSOR, LIMIT, body
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.marketplace.browse import applications_of

app = make_resolver()


@app.get(
    "/api/applications",
    summary="Your applications",
    description="Every job you applied to, newest first, with where each stands (`status`).",
    tags=["Jobs"],
    responses={200: body("ApplicationPage", "`data` (applications) and `next_cursor`"), **PROBLEM_RESPONSES},
    **requires("marketplace:read", tokens=("user",)),
)
def list_my_applications(limit: Annotated[str, LIMIT] = "20", cursor: Annotated[str | None, CURSOR] = None):
    page = applications_of(current_principal(app).subject, limit=int(limit), cursor=cursor)
    return json_response(page, headers={"Cache-Control": "private, no-store"})


lambda_handler = entrypoint(app)
