"""GET /api/hashtags/{tag}/posts: published posts with a hashtag, newest first."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.auth import requires
from eckospace.http.params import Path
from eckospace.http.posts_routes import CURSOR, LIMIT, body, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.posts.discovery import hashtag_posts

app = make_resolver()


@app.get(
    "/api/hashtags/<tag>/posts",
    summary="Posts with a hashtag",
    description="Newest first. The tag without `#`, matched case-insensitively (`Cats` and `cats` are one tag); "
    "each post's `hashtags` holds it in its canonical form (`cats`).",
    tags=["Posts"],
    responses={
        200: body("PostPage", "`data` (posts) and `next_cursor`"),
        404: problem("`tag` cannot be a hashtag"),
        **PROBLEM_RESPONSES,
    },
    **requires("posts:read"),
)
def list_hashtag_posts(
    tag: Annotated[str, Path(max_length=200)],
    limit: Annotated[str, LIMIT] = "20",
    cursor: Annotated[str | None, CURSOR] = None,
):
    page = hashtag_posts(tag, limit=int(limit), cursor=cursor)
    return json_response(page, headers={"Cache-Control": "private, no-cache"})


lambda_handler = entrypoint(app)
