"""Listings, each page one DynamoDB query: the feed (recent or trending), a hashtag's posts, a
user's posts. Cursors are signed and bound to their listing and scope (`eckospace.cursors`), and
the key inside one is also checked attribute by attribute before it reaches DynamoDB, so a tampered
cursor is invalid input, never a fault."""

from __future__ import annotations

import re
from typing import Any

from eckospace import paging
from eckospace.errors import NotFound
from eckospace.posts import store
from eckospace.posts.text import normalize_tag

_ID = r"pst_[0-9a-z]{26}"
POST_PK, POST_SK = re.compile(rf"^post#{_ID}$"), re.compile(r"^post$")
POST_POSITION = re.compile(rf"^\d{{13}}#{_ID}$")
BOOKMARK_PK, BOOKMARK_SK = re.compile(rf"^bookmark#.+#{_ID}$"), re.compile(r"^bookmark$")
POST_KEY = {"pk": POST_PK, "sk": POST_SK}


def query_page(request: dict[str, Any], **page: Any) -> tuple[list[dict[str, Any]], str | None]:
    """One page of a posts table query (`eckospace.paging.query_page` takes the same `page` arguments)."""
    return paging.query_page(store.table(), request, **page)


def feed(*, sort: str, limit: int, cursor: str | None) -> dict[str, Any]:
    if sort == "trending":
        items, next_cursor = query_page(
            {
                "IndexName": store.TRENDING,
                "KeyConditionExpression": "trend_pk = :p",
                "ExpressionAttributeValues": {":p": {"S": "trending"}},
                "ScanIndexForward": False,
            },
            listing="posts-feed",
            scope="trending",
            cursor=cursor,
            limit=limit,
            fixed={"trend_pk": "trending"},
            strings=POST_KEY,
            numbers=("trend_score",),
        )
    else:
        items, next_cursor = query_page(
            {
                "IndexName": store.LISTINGS,
                "KeyConditionExpression": "gsi1pk = :p",
                "ExpressionAttributeValues": {":p": {"S": "feed"}},
                "ScanIndexForward": False,
            },
            listing="posts-feed",
            scope="recent",
            cursor=cursor,
            limit=limit,
            fixed={"gsi1pk": "feed"},
            strings=POST_KEY | {"gsi1sk": POST_POSITION},
        )
    return {"data": [store.view(store.from_item(item)) for item in items], "next_cursor": next_cursor}


def hashtag_posts(tag: str, *, limit: int, cursor: str | None) -> dict[str, Any]:
    from urllib.parse import unquote

    canonical = normalize_tag(unquote(tag))  # a non-ASCII tag may arrive percent-encoded in the path
    if canonical is None:
        raise NotFound(f"#{tag} is not a hashtag.")
    pk = f"tag#{canonical}"
    items, next_cursor = query_page(
        {
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": pk}},
            "ScanIndexForward": False,
        },
        listing="posts-hashtag",
        scope=canonical,
        cursor=cursor,
        limit=limit,
        fixed={"pk": pk},
        strings={"sk": POST_POSITION},
    )
    return {"data": [store.view(store.value(item["post"])) for item in items], "next_cursor": next_cursor}


def user_posts(user: str, viewer: str, *, limit: int, cursor: str | None) -> dict[str, Any]:
    """Newest first. The author sees drafts and hidden posts too; others see what is public (a
    page may then hold fewer than `limit` posts and still have a `next_cursor`)."""
    request: dict[str, Any] = {
        "IndexName": store.BY_AUTHOR,
        "KeyConditionExpression": "gsi2pk = :p",
        "ExpressionAttributeValues": {":p": {"S": f"author#{user}"}},
        "ScanIndexForward": False,
    }
    own = user == viewer
    if not own:
        request["FilterExpression"] = "#status = :published AND #moderation = :visible"
        request["ExpressionAttributeNames"] = {"#status": "status", "#moderation": "moderation"}
        request["ExpressionAttributeValues"] |= {":published": {"S": store.PUBLISHED}, ":visible": {"S": store.VISIBLE}}
    items, next_cursor = query_page(
        request,
        listing="posts-user",
        scope=f"{'own' if own else 'public'}:{user}",
        cursor=cursor,
        limit=limit,
        fixed={"gsi2pk": f"author#{user}"},
        strings=POST_KEY | {"gsi2sk": POST_POSITION},
    )
    return {"data": [store.view(store.from_item(item)) for item in items], "next_cursor": next_cursor}
