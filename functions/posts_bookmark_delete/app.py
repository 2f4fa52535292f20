"""DELETE /api/posts/{post_id}/bookmark: remove a bookmark."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response

from eckospace.http.auth import current_principal, requires
from eckospace.http.params import Path
from eckospace.http.posts_routes import empty
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, make_resolver
from eckospace.posts.bookmarks import unbookmark

app = make_resolver()


@app.delete(
    "/api/posts/<post_id>/bookmark",
    summary="Remove a bookmark",
    description="Idempotent: 204 whether or not the post was bookmarked.",
    tags=["Bookmarks"],
    responses={204: empty("Not bookmarked"), **PROBLEM_RESPONSES},
    **requires("posts:write", tokens=("user",)),
)
def delete_bookmark(post_id: Annotated[str, Path(max_length=64)]):
    unbookmark(current_principal(app).subject, post_id)
    return Response(status_code=204, body="")


lambda_handler = entrypoint(app)
