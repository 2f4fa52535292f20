"""PATCH /api/posts/{post_id}: edit your post (text, attachments, published or draft)."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from eckospace.http.auth import current_principal, requires
from eckospace.http.params import Header, Path
from eckospace.http.posts_routes import ETAG, body, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.posts.service import etag, update_post
from eckospace.posts.text import TEXT_PATTERN

app = make_resolver()


def _text_rules(schema: dict[str, Any]) -> None:
    schema["anyOf"][0]["pattern"] = TEXT_PATTERN  # the text's branch (the other is null)


class PostChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(
        default=None,
        min_length=1,
        max_length=5000,
        json_schema_extra=_text_rules,  # checked by the service: 422
        description="1 to 5000 characters, not blank, no control characters but newline and tab; at most 10 "
        "`#hashtags` and 10 `@user_id` mentions (422 otherwise)",
    )
    attachments: list[str] | None = Field(
        default=None, max_length=10, description="The whole new list; added media must be yours and ready"
    )
    status: Literal["published", "draft"] | None = None


@app.patch(
    "/api/posts/<post_id>",
    summary="Edit your post",
    description=(
        "Changes only the fields sent. A draft may be published and a post turned back into a draft (it keeps its "
        "first publication time). Users mentioned for the first time in a published post are notified. Send "
        "`If-Match` with the post's `ETag` to refuse the edit (412) if the post changed since you read it."
    ),
    tags=["Posts"],
    responses={
        200: body("Post", "The edited post (unchanged if nothing sent differs)", ETAG),
        404: problem("No such post that you can see"),
        409: problem("The post changed meanwhile (without `If-Match`); retry after `Retry-After`"),
        412: problem("`If-Match` names another version of the post, or the post changed meanwhile"),
        422: problem("The text or an attachment breaks a rule"),
        **PROBLEM_RESPONSES,
        403: problem("Missing API key, the token lacks a required scope, or the post is not yours"),
    },
    **requires("posts:write", tokens=("user",)),
)
def edit(
    post_id: Annotated[str, Path(max_length=64)],
    changes: PostChanges,
    if_match: Annotated[str | None, Header(alias="If-Match", max_length=200)] = None,
):
    post = update_post(
        post_id, current_principal(app).subject, changes.model_dump(exclude_unset=True), if_match=if_match
    )
    return json_response(post, headers={"ETag": etag(post), "Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
