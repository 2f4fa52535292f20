"""GET /api/bookmarks: your bookmarks, newest first."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.posts_routes import CURSOR, LIMIT, body
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.posts.bookmarks import bookmarks_page

app = make_resolver()


@app.get(
    "/api/bookmarks",
    summary="Your bookmarks",
    description="Newest first, each with its post. Posts deleted or hidden since are left out.",
    tags=["Bookmarks"],
    responses={200: body("BookmarkPage", "`data` (bookmarks) and `next_cursor`"), **PROBLEM_RESPONSES},
    **requires("posts:read", tokens=("user",)),
)
def list_bookmarks(
    limit: Annotated[str, LIMIT] = "20",
    cursor: Annotated[str | None, CURSOR] = None,
):
    page = bookmarks_page(current_principal(app).subject, limit=int(limit), cursor=cursor)
    return json_response(page, headers={"Cache-Control": "private, no-store"})


lambda_handler = entrypoint(app)
