"""PUT /api/posts/{post_id}/bookmark: bookmark a post."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response

from eckospace.http.auth import current_principal, requires
from eckospace.http.params import Path
from eckospace.http.posts_routes import empty, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, make_resolver
from eckospace.posts.bookmarks import bookmark

app = make_resolver()


@app.put(
    "/api/posts/<post_id>/bookmark",
    summary="Bookmark a post",
    description="Idempotent. Your bookmarks are yours alone.",
    tags=["Bookmarks"],
    responses={204: empty("Bookmarked"), 404: problem("No such post that you can see"), **PROBLEM_RESPONSES},
    **requires("posts:write", tokens=("user",)),
)
def put_bookmark(post_id: Annotated[str, Path(max_length=64)]):
    bookmark(current_principal(app).subject, post_id)
    return Response(status_code=204, body="")


lambda_handler = entrypoint(app)
