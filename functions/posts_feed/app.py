"""GET /api/feed: published posts, most recent or trending first."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.auth import requires
from eckospace.http.params import Query
from eckospace.http.posts_routes import CURSOR, LIMIT, body
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.posts.discovery import feed

app = make_resolver()


@app.get(
    "/api/feed",
    summary="The feed",
    description=(
        "`sort=recent`: newest first. `sort=trending`: by a score that grows with the logarithm of a post's "
        "reactions and with its publication time (each 12.5 hours of age weighs as much as ten times the "
        "reactions); counts in listings trail the exact ones by about a minute. Pass `next_cursor` back as "
        "`cursor` for the next page."
    ),
    tags=["Posts"],
    responses={200: body("PostPage", "`data` (posts) and `next_cursor` (null on the last page)"), **PROBLEM_RESPONSES},
    **requires("posts:read"),
)
def list_feed(
    sort: Annotated[str, Query(pattern="^(recent|trending)$", description="`recent` or `trending`")] = "recent",
    limit: Annotated[str, LIMIT] = "20",
    cursor: Annotated[str | None, CURSOR] = None,
):
    page = feed(sort=sort, limit=int(limit), cursor=cursor)
    return json_response(page, headers={"Cache-Control": "private, no-cache"})


lambda_handler = entrypoint(app)
