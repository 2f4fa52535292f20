"""POST /api/posts/{post_id}/reports: report a post to the moderators."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from eckospace.http.auth import current_principal, requires
from eckospace.http.params import Path
from eckospace.http.posts_routes import body, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.posts.moderation import report_post

app = make_resolver()


class NewReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Literal["spam", "harassment", "hate", "violence", "sexual", "misinformation", "other"]
    note: str | None = Field(default=None, max_length=1000, description="Anything the moderators should know")


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
        429: problem(
            "Your daily allowance of reports is used up until midnight UTC, or the API key's rate "
            "limit or quota is exceeded; see `Retry-After`"
        ),
    },
    **requires("posts:write", tokens=("user",)),
)
def create_report(post_id: Annotated[str, Path(max_length=64)], report: NewReport):
    created = report_post(post_id, current_principal(app).subject, reason=report.reason, note=report.note)
    return json_response(created, status=201, headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
