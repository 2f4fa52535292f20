"""PUT /api/posts/{post_id}/reaction: react to a post (one reaction per user; sending another type changes it).

The body (`{"type": ...}`) is checked by hand rather than by a pydantic model: this is the busiest
write path, and leaving pydantic out keeps its cold start short."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.body import raw_body
from eckospace.http.params import Path
from eckospace.http.posts_routes import body, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.posts.reactions import REACTION_BODY_SCHEMA, react, reaction_type

app = make_resolver()

_ROUTE = requires("posts:write", tokens=("user",))
_ROUTE["openapi_extensions"] = {
    **_ROUTE["openapi_extensions"],
    "requestBody": {"required": True, "content": {"application/json": {"schema": REACTION_BODY_SCHEMA}}},
}


@app.put(
    "/api/posts/<post_id>/reaction",
    summary="React to a post",
    description="Sets your reaction: 201 when new, 200 when it was already this type or has changed to it.",
    tags=["Posts"],
    responses={
        200: body("Reaction", "Your reaction, kept or changed"),
        201: body("Reaction", "Your new reaction"),
        404: problem("No such post that you can see"),
        409: problem("Your post is not open to reactions: a draft, or hidden by a moderator"),
        503: problem("Too many concurrent reactions; retry after `Retry-After`"),
        **PROBLEM_RESPONSES,
    },
    **_ROUTE,
)
def put_reaction(post_id: Annotated[str, Path(max_length=64)]):
    kind = reaction_type(raw_body(app.current_event.raw_event))
    found, created = react(post_id, current_principal(app).subject, kind)
    return json_response(found, status=201 if created else 200, headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
