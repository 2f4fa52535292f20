"""GET /api/posts/{post_id}: one post, with exact reaction counts."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response

from eckospace.http.auth import current_principal, requires
from eckospace.http.conditional import if_none_match_hits
from eckospace.http.params import Header, Path
from eckospace.http.posts_routes import ETAG, body, empty, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.posts.service import etag, read_post

app = make_resolver()


@app.get(
    "/api/posts/<post_id>",
    summary="A post",
    description=(
        "The post and its exact reaction counts. Drafts and posts hidden by moderators are not found, except by "
        "their author (who sees `moderation: hidden`). Send the `ETag` back as `If-None-Match` for a 304 while "
        "nothing changed, or as `If-Match` on `PATCH` to edit only the version you read."
    ),
    tags=["Posts"],
    responses={
        200: body("Post", "The post, with `viewer`: your own reaction and bookmark", ETAG),
        304: empty("Unchanged since the ETag you sent in `If-None-Match`", ETAG),
        404: problem("No such post that you can see"),
        **PROBLEM_RESPONSES,
    },
    **requires("posts:read"),
)
def get_post(
    post_id: Annotated[str, Path(max_length=64)],
    if_none_match: Annotated[str | None, Header(alias="If-None-Match", max_length=1000)] = None,
):
    post = read_post(post_id, current_principal(app).subject)
    headers = {"ETag": etag(post), "Cache-Control": "private, no-cache"}
    if if_none_match_hits(if_none_match, headers["ETag"]):
        return Response(status_code=304, body="", headers=headers)
    return json_response(post, headers=headers)


lambda_handler = entrypoint(app)
