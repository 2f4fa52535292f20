"""Listings, each page one DynamoDB query: the feed (recent or trending), a hashtag's posts, a
user's posts. Cursors are signed and bound to their listing and scope (`eckospace.cursors`), and
the key inside one is also checked attribute by attribute before it reaches DynamoDB, so a tampered
cursor is invalid input, never a fault."""

from __future__ import annotations

import re
from typing import Any

from eckospace.cursors import decode_cursor, encode_cursor
from eckospace.errors import InvalidInput, NotFound
from eckospace.posts import store
from eckospace.posts.text import normalize_tag

_ID = r"pst_[0-9a-z]{26}"
POST_PK, POST_SK = re.compile(rf"^post#{_ID}$"), re.compile(r"^post$")
POST_POSITION = re.compile(rf"^\d{{13}}#{_ID}$")
BOOKMARK_PK, BOOKMARK_SK = re.compile(rf"^bookmark#.+#{_ID}$"), re.compile(r"^bookmark$")
POST_KEY = {"pk": POST_PK, "sk": POST_SK}


Shapes = dict[str, re.Pattern[str]]


def start_key(
    cursor: str | None,
    *,
    listing: str,
    scope: str,
    fixed: dict[str, str],
    strings: Shapes | None = None,
    numbers: tuple[str, ...] = (),
) -> dict[str, Any] | None:
    """The ExclusiveStartKey inside `cursor`: exactly the listing's key attributes, of their types
    and shapes, with the partition values of this listing."""
    key = decode_cursor(cursor, listing=listing, scope=scope)
    if key is None:
        return None
    strings = strings or {}
    expected = set(fixed) | set(strings) | set(numbers)
    problem = InvalidInput("The cursor is not one this listing issued.")
    if set(key) != expected:
        raise problem
    for name in expected:
        attr = key[name]
        kind = "N" if name in numbers else "S"
        if (
            not isinstance(attr, dict)
            or set(attr) != {kind}
            or not isinstance(attr[kind], str)
            or len(attr[kind]) > 600
        ):
            raise problem
        if name in fixed and attr[kind] != fixed[name]:
            raise problem
        if name in strings and not strings[name].match(attr[kind]):
            raise problem
        if kind == "N":
            try:
                number = float(attr[kind])
            except ValueError:
                raise problem from None
            if not -1e6 < number < 1e6:  # also refuses inf and nan
                raise problem
    return key


def query_page(
    request: dict[str, Any],
    *,
    listing: str,
    scope: str,
    cursor: str | None,
    limit: int,
    fixed: dict[str, str],
    strings: Shapes | None = None,
    numbers: tuple[str, ...] = (),
) -> tuple[list[dict[str, Any]], str | None]:
    from eckospace import aws

    request = {"TableName": store.table(), "Limit": limit, **request}
    start = start_key(cursor, listing=listing, scope=scope, fixed=fixed, strings=strings, numbers=numbers)
    if start:
        request["ExclusiveStartKey"] = start
    page = aws.client("dynamodb").query(**request)
    return page.get("Items", []), encode_cursor(page.get("LastEvaluatedKey"), listing=listing, scope=scope)


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
