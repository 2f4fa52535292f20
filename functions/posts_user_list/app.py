"""GET /api/users/{user_id}/posts: a user's posts, newest first."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.params import Path
from eckospace.http.posts_routes import CURSOR, LIMIT, body
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.posts.discovery import user_posts

app = make_resolver()


@app.get(
    "/api/users/<user_id>/posts",
    summary="A user's posts",
    description=(
        "Newest first. Your own listing includes your drafts and posts moderators hid; anyone else's holds only "
        "published, visible posts (a page may then be shorter than `limit` and still have a `next_cursor`)."
    ),
    tags=["Posts"],
    responses={200: body("PostPage", "`data` (posts) and `next_cursor`"), **PROBLEM_RESPONSES},
    **requires("posts:read"),
)
def list_user_posts(
    user_id: Annotated[str, Path(max_length=128)],
    limit: Annotated[str, LIMIT] = "20",
    cursor: Annotated[str | None, CURSOR] = None,
):
    page = user_posts(user_id, current_principal(app).subject, limit=int(limit), cursor=cursor)
    return json_response(page, headers={"Cache-Control": "private, no-cache"})


lambda_handler = entrypoint(app)
