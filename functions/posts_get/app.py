"""GET /api/posts/{post_id}: one post, with exact reaction counts."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.params import Path
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.posts.service import read_post

app = make_resolver()


@app.get(
    "/api/posts/<post_id>",
    summary="A post",
    description=(
        "The post and its exact reaction counts. Drafts and posts hidden by moderators are not found, except by "
        "their author (who sees `moderation: hidden`). The `ETag` names the post's version, for `If-Match` "
        "on `PATCH`."
    ),
    tags=["Posts"],
    responses={200: {"description": "The post"}, 404: {"description": "No such post that you can see"},
               **PROBLEM_RESPONSES},
    **requires("posts:read"),
)
def get_post(post_id: Annotated[str, Path(max_length=64)]):
    post = read_post(post_id, current_principal(app).subject)
    return json_response(post, headers={"ETag": f'"v{post["version"]}"', "Cache-Control": "private, no-cache"})


lambda_handler = entrypoint(app)
