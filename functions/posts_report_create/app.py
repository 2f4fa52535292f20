"""POST /api/posts/{post_id}/reports: report a post to the moderators."""

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.moderation_routes import DAILY_ALLOWANCE, body, problem
from eckospace.http.params import Path
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.moderation.models import NewReport
from eckospace.posts.moderation import report_post

app = make_resolver()


@app.post(
    "/api/posts/<post_id>/reports",
    summary="Report a post",
    description="Queues the post for moderation. While your report is open, another by you on this post is 409.",
    tags=["Moderation"],
    responses={
        201: body("Report", "The report"),
        404: problem("No such post that you can see"),
        409: problem(
            "You already have an open report on this post, or the report could not be written "
            "(retry after `Retry-After`)"
        ),
        **PROBLEM_RESPONSES,
        429: DAILY_ALLOWANCE,
    },
    **requires("posts:write", tokens=("user",)),
)
def create_report(post_id: Annotated[str, Path(max_length=64)], report: NewReport):
    created = report_post(post_id, current_principal(app).subject, reason=report.reason, note=report.note)
    return json_response(created, status=201, headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
