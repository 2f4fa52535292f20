"""PUT /api/posts/{post_id}/reaction: react to a post (one reaction per user; sending another type changes it)."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from eckospace.http.auth import current_principal, requires
from eckospace.http.params import Path
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.posts.reactions import react

app = make_resolver()


class Reaction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["like", "love", "laugh", "wow", "sad", "celebrate"] = Field(description="The reaction")


@app.put(
    "/api/posts/<post_id>/reaction",
    summary="React to a post",
    description="Sets your reaction: 201 when new, 200 when it was already this type or has changed to it.",
    tags=["Posts"],
    responses={200: {"description": "Your reaction, kept or changed"}, 201: {"description": "Your new reaction"},
               404: {"description": "No such post that you can see, or not published"},
               503: {"description": "Too many concurrent reactions; retry after Retry-After"}, **PROBLEM_RESPONSES},
    **requires("posts:write", tokens=("user",)),
)
def put_reaction(post_id: Annotated[str, Path(max_length=64)], reaction: Reaction):
    found, created = react(post_id, current_principal(app).subject, reaction.type)
    return json_response(found, status=201 if created else 200, headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
