"""GET /api/moderation/reports: the open reports, oldest first."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.auth import requires
from eckospace.http.posts_routes import CURSOR, LIMIT, body
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.posts.moderation import open_reports

app = make_resolver()


@app.get(
    "/api/moderation/reports",
    summary="The moderation queue",
    description="Open reports, oldest first. Deciding on a post resolves all its open reports.",
    tags=["Moderation"],
    responses={200: body("ReportPage", "`data` (reports) and `next_cursor`"), **PROBLEM_RESPONSES},
    **requires("moderation:read"),
)
def list_reports(
    limit: Annotated[str, LIMIT] = "20",
    cursor: Annotated[str | None, CURSOR] = None,
):
    return json_response(open_reports(limit=int(limit), cursor=cursor), headers={"Cache-Control": "private, no-store"})


lambda_handler = entrypoint(app)
