"""GET /api/moderation/reports: the open reports of posts and chat messages, oldest first."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.auth import requires
from eckospace.http.moderation_routes import body
from eckospace.http.posts_routes import CURSOR, LIMIT
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.moderation.queue import open_reports

app = make_resolver()


@app.get(
    "/api/moderation/reports",
    summary="The moderation queue",
    description="Open reports of posts and chat messages together, oldest first; each names its `subject`, and a "
    "chat message's carries a `snapshot` of the message as reported. Deciding on a post or a message resolves all "
    "its open reports.",
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
