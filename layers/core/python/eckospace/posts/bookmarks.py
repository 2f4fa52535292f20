"""Bookmarks: private to their owner; a page is one query and one BatchGetItem of the posts.
Posts deleted, hidden or turned back into drafts since are left out of the page."""

from __future__ import annotations

import contextlib
from typing import Any

from eckospace import timestamps
from eckospace.posts import store
from eckospace.posts.discovery import BOOKMARK_PK, BOOKMARK_SK, POST_POSITION, query_page
from eckospace.posts.service import load, not_found


def bookmark(user: str, post_id: str) -> None:
    """Idempotent: bookmarking again keeps the first bookmark's time. A post the user cannot see is 404."""
    from eckospace import aws

    if not store.visible_to(load(post_id), user):
        raise not_found(post_id)
    ms = store.now_ms()
    client = aws.client("dynamodb")
    with contextlib.suppress(client.exceptions.ConditionalCheckFailedException):
        client.put_item(
            TableName=store.table(),
            ConditionExpression="attribute_not_exists(pk)",
            Item=store.to_item(
                {
                    "pk": f"bookmark#{user}#{post_id}",
                    "sk": "bookmark",
                    "type": "bookmark",
                    "user": user,
                    "post_id": post_id,
                    "created_ms": ms,
                    "gsi1pk": f"bookmarks#{user}",
                    "gsi1sk": store.sort_key(ms, post_id),
                }
            ),
        )


def unbookmark(user: str, post_id: str) -> None:
    from eckospace import aws

    if store.POST_ID.match(post_id):
        aws.client("dynamodb").delete_item(TableName=store.table(), Key=store.bookmark_key(user, post_id))


def bookmarks_page(user: str, *, limit: int, cursor: str | None) -> dict[str, Any]:
    from eckospace import aws

    items, next_cursor = query_page(
        {
            "IndexName": store.LISTINGS,
            "KeyConditionExpression": "gsi1pk = :p",
            "ExpressionAttributeValues": {":p": {"S": f"bookmarks#{user}"}},
            "ScanIndexForward": False,
        },
        listing="posts-bookmarks",
        scope=user,
        cursor=cursor,
        limit=limit,
        fixed={"gsi1pk": f"bookmarks#{user}"},
        strings={"pk": BOOKMARK_PK, "sk": BOOKMARK_SK, "gsi1sk": POST_POSITION},
    )
    marks = [store.from_item(item) for item in items]
    posts: dict[str, dict[str, Any]] = {}
    if marks:
        keys = [store.post_key(post_id) for post_id in dict.fromkeys(mark["post_id"] for mark in marks)]
        for item in aws.batch_get({store.table(): {"Keys": keys}})[store.table()]:
            post = store.from_item(item)
            posts[post["id"]] = post
    data = [
        {
            "object": "bookmark",
            "post": store.view(posts[mark["post_id"]]),
            "bookmarked_at": timestamps.from_ms(mark["created_ms"]),
        }
        for mark in marks
        if store.visible_to(posts.get(mark["post_id"]), user)
    ]
    return {"data": data, "next_cursor": next_cursor}
