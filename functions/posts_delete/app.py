"""DELETE /api/posts/{post_id}: delete your post."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response

from eckospace.http.auth import current_principal, requires
from eckospace.http.params import Path
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, make_resolver
from eckospace.posts.service import delete_post

app = make_resolver()


@app.delete(
    "/api/posts/<post_id>",
    summary="Delete your post",
    description="Removes the post, its reaction counts and its hashtag entries at once.",
    tags=["Posts"],
    responses={204: {"description": "Deleted"}, 403: {"description": "Not your post"},
               404: {"description": "No such post that you can see"}, **PROBLEM_RESPONSES},
    **requires("posts:write", tokens=("user",)),
)
def remove(post_id: Annotated[str, Path(max_length=64)]):
    delete_post(post_id, current_principal(app).subject)
    return Response(status_code=204, body="")


lambda_handler = entrypoint(app)
