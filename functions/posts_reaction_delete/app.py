"""DELETE /api/posts/{post_id}/reaction: take your reaction back."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response

from eckospace.http.auth import current_principal, requires
from eckospace.http.params import Path
from eckospace.http.posts_routes import empty
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, make_resolver
from eckospace.posts.reactions import unreact

app = make_resolver()


@app.delete(
    "/api/posts/<post_id>/reaction",
    summary="Remove your reaction",
    description="Idempotent: 204 whether or not you had reacted.",
    tags=["Posts"],
    responses={204: empty("No reaction of yours remains"), **PROBLEM_RESPONSES},
    **requires("posts:write", tokens=("user",)),
)
def delete_reaction(post_id: Annotated[str, Path(max_length=64)]):
    unreact(post_id, current_principal(app).subject)
    return Response(status_code=204, body="")


lambda_handler = entrypoint(app)
