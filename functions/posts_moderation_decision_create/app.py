"""POST /api/moderation/posts/{post_id}/decisions: hide, restore or remove a post."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from eckospace.http.auth import current_principal, requires
from eckospace.http.moderation_routes import body, problem
from eckospace.http.params import Path
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.moderation.models import Reason
from eckospace.posts.moderation import decide

app = make_resolver()


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["hide", "restore", "remove"] = Field(
        description="`hide`: out of every listing, reactions refused, its author still sees it; `restore`: back; "
        "`remove`: deleted"
    )
    reason: Reason


@app.post(
    "/api/moderation/posts/<post_id>/decisions",
    summary="Decide on a post",
    description="Applies the action, resolves every open report of the post with it, and publishes "
    "`moderation.decided`.",
    tags=["Moderation"],
    responses={
        201: body("ModerationDecision", "The decision, with the number of reports it resolved"),
        404: problem("No such post"),
        409: problem("The post kept changing while the decision was applied; retry after `Retry-After`"),
        **PROBLEM_RESPONSES,
    },
    **requires("moderation:write"),
)
def create_decision(post_id: Annotated[str, Path(max_length=64)], decision: Decision):
    made = decide(post_id, current_principal(app).subject, action=decision.action, reason=decision.reason)
    return json_response(made, status=201, headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
