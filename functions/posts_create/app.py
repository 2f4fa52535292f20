"""POST /api/posts: publish a post, or save a draft (Idempotency-Key supported)."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from eckospace.http.auth import current_principal, requires
from eckospace.http.idempotency import created
from eckospace.http.params import Header
from eckospace.http.posts_routes import ETAG, LOCATION, body, problem
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.posts.service import create_post, etag
from eckospace.posts.text import TEXT_PATTERN

app = make_resolver()


class NewPost(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        min_length=1,
        max_length=5000,
        json_schema_extra={"pattern": TEXT_PATTERN},  # the service: 422
        description="1 to 5000 characters, not blank, no control characters but newline and tab. `#hashtags` "
        "(at most 10) and `@user_id` mentions (at most 10; mentioned users are notified once the post is "
        "published) are recognised.",
    )
    attachments: list[str] = Field(
        default_factory=list, max_length=10, description="Ids of your own media that are `ready` (at most 10)"
    )
    status: Literal["published", "draft"] = Field(
        default="published", description="A draft is visible to you alone until published"
    )


@app.post(
    "/api/posts",
    summary="Create a post",
    description=(
        "Publishes the post (or saves it as a draft). Attachments must be your own media, `ready`; any other "
        "media id (missing, pending, someone else's) is refused with 422 naming it. Send an `Idempotency-Key` "
        "to make retries safe: a replay returns the same post."
    ),
    tags=["Posts"],
    responses={
        201: body("Post", "The post (a replay with the same `Idempotency-Key`: the same post)", LOCATION | ETAG),
        409: problem(
            "A request with this `Idempotency-Key` is still in progress, or the post could not "
            "be written; retry after `Retry-After`"
        ),
        422: problem("The text or an attachment breaks a rule, or this `Idempotency-Key` came with another body"),
        **PROBLEM_RESPONSES,
        429: problem(
            "Your daily allowance of posts (drafts included) is used up until midnight UTC, or "
            "the API key's rate limit or quota is exceeded; see `Retry-After`"
        ),
    },
    **requires("posts:write", tokens=("user",)),
)
def create(
    request: NewPost, idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)] = None
):
    author = current_principal(app).subject

    def produce(body: dict) -> dict:
        return create_post(author, text_value=body["text"], attachments=body["attachments"], status=body["status"])

    body = request.model_dump()
    post = created(idempotency_key, caller=author, body=body, produce=produce, lambda_context=app.lambda_context)
    return json_response(
        post,
        status=201,
        headers={"Location": f"/api/posts/{post['id']}", "ETag": etag(post), "Cache-Control": "no-store"},
    )


lambda_handler = entrypoint(app)
