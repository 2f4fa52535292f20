"""DELETE /api/posts/{post_id}: delete your post."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response

from eckospace.http.auth import current_principal, requires
from eckospace.http.params import Path
from eckospace.http.posts_routes import empty, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, make_resolver
from eckospace.posts.service import delete_post

app = make_resolver()


@app.delete(
    "/api/posts/<post_id>",
    summary="Delete your post",
    description="Removes the post, its reaction counts and its hashtag entries at once.",
    tags=["Posts"],
    responses={
        204: empty("Deleted"),
        404: problem("No such post that you can see"),
        409: problem("The post changed meanwhile; retry after `Retry-After`"),
        **PROBLEM_RESPONSES,
        403: problem("Missing API key, the token lacks a required scope, or the post is not yours"),
    },
    **requires("posts:write", tokens=("user",)),
)
def remove(post_id: Annotated[str, Path(max_length=64)]):
    delete_post(post_id, current_principal(app).subject)
    return Response(status_code=204, body="")


lambda_handler = entrypoint(app)
