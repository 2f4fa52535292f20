"""What the posts routes answer, for the OpenAPI document.

Handlers return plain dicts (`eckospace.posts.store.view` and the other views); these models only
describe them, and are imported when the document is generated, never on a cold start. Each says
exactly what its view holds: every key, nullable or not, and the few that are present only in some
answers (those are not required, and never null).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from eckospace.media.models import Attachment

ReactionType = Literal["like", "love", "laugh", "wow", "sad", "celebrate"]


def _not_always_present(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def sometimes(description: str) -> Any:
    """A key present in some answers only: not required, and never null when present."""
    return Field(default=None, description=description, json_schema_extra=_not_always_present)


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReactionCounts(Shape):
    """Every reaction type, zero included."""

    like: int
    love: int
    laugh: int
    wow: int
    sad: int
    celebrate: int


class PostViewer(Shape):
    reaction: ReactionType | None = Field(description="Your reaction to the post, if any")
    bookmarked: bool = Field(description="Whether you bookmarked the post")


class Post(Shape):
    id: str = Field(description="`pst_` and 26 characters; ids sort by creation time")
    object: Literal["post"]
    author: str = Field(description="The author's user id")
    text: str
    status: Literal["published", "draft"] = Field(description="A draft is its author's alone")
    moderation: Literal["visible", "hidden"] = Field(
        description="`hidden`: a moderator hid the post; only its author still sees it"
    )
    hashtags: list[str] = Field(description="The text's hashtags, lower case, without `#`")
    mentions: list[str] = Field(description="The user ids the text mentions (`@user_id`)")
    attachments: list[Attachment] = Field(
        description="The attached media, with where to fetch each: public images of a public post from the CDN, "
        "everything else from presigned URLs valid five minutes"
    )
    reactions: ReactionCounts = Field(
        description="Counts per type: exact on `GET /api/posts/{post_id}`, about a minute behind in listings"
    )
    reaction_count: int = Field(description="The sum of `reactions`")
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None = Field(
        description="When the post was first published; null for a draft never published"
    )
    version: int = Field(description="Grows with each edit (and moderation decision); reactions leave it")
    viewer: PostViewer = sometimes("Only on `GET /api/posts/{post_id}`: your own reaction and bookmark")


class PostPage(Shape):
    data: list[Post] = Field(description="Posts, newest first (by score for `sort=trending`)")
    next_cursor: str | None = Field(description="Pass it back as `cursor` for the next page; null on the last")


class Reaction(Shape):
    object: Literal["reaction"]
    post_id: str
    user: str = Field(description="Your user id")
    type: ReactionType
    created_at: datetime = Field(description="When you first reacted")
    updated_at: datetime | None = Field(description="When you last changed the type; null if never")


class Bookmark(Shape):
    object: Literal["bookmark"]
    post: Post
    bookmarked_at: datetime


class BookmarkPage(Shape):
    data: list[Bookmark] = Field(description="Your bookmarks, newest first")
    next_cursor: str | None = Field(description="Pass it back as `cursor` for the next page; null on the last")
