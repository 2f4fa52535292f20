"""The trending refresher (scheduled every minute): folds the count shards that reactions touched
into their posts' `reactions` and `trend_score` (and the hashtag copies' counts).

Touched shards sit in the sparse `Touched` index under `touched#<n>` (eight partitions). For each
touched post the refresher reads its shards, writes the sums, then clears each shard's marker on
the condition that its `touched_at` is still the one it saw, so a reaction that landed meanwhile
keeps the shard marked for the next run.
"""

from __future__ import annotations

import contextlib
from typing import Any

from eckospace.posts import store
from eckospace.posts.store import SHARDS

# Posts beyond this keep their markers and are folded by the next run: a backlog is late, never lost.
MAX_POSTS_PER_RUN = 2000
POSTS_PER_BATCH = 11  # 11 x (post + 8 shards) = 99 keys, within BatchGetItem's 100


def _touched() -> dict[str, dict[int, str]]:
    """post id -> {shard: the touched_at seen}."""
    from eckospace import aws

    client = aws.client("dynamodb")
    found: dict[str, dict[int, str]] = {}
    for shard in range(SHARDS):
        start = None
        while len(found) < MAX_POSTS_PER_RUN:
            request: dict[str, Any] = {
                "TableName": store.table(),
                "IndexName": store.TOUCHED,
                "KeyConditionExpression": "touched_pk = :p",
                "ExpressionAttributeValues": {":p": {"S": f"touched#{shard}"}},
            }
            if start:
                request["ExclusiveStartKey"] = start
            page = client.query(**request)
            for item in page.get("Items", []):
                found.setdefault(item["touched_sk"]["S"], {})[shard] = item["touched_at"]["N"]
            start = page.get("LastEvaluatedKey")
            if not start:
                break
    return found


def _fold(post_id: str, items: list[dict[str, Any]]) -> None:
    from eckospace import aws

    client = aws.client("dynamodb")
    post_items = [item for item in items if item["sk"]["S"] == "post"]
    if not post_items:
        return  # deleted: its shards went with it
    post = store.from_item(post_items[0])
    counts = store.counts_from_shards([item for item in items if item["sk"]["S"] == "counter"])
    total = sum(counts.values())
    try:
        client.update_item(
            TableName=store.table(),
            Key=store.post_key(post_id),
            ConditionExpression="attribute_exists(pk)",
            UpdateExpression="SET reactions = :r, trend_score = :s",
            ExpressionAttributeValues={
                ":r": store.attribute(counts),
                ":s": store.attribute(store.hot_score(total, post.get("published_ms") or post["created_ms"])),
            },
        )
    except client.exceptions.ConditionalCheckFailedException:
        return
    if store.is_public(post):
        for tag in post.get("hashtags", []):
            with contextlib.suppress(client.exceptions.ConditionalCheckFailedException):
                client.update_item(
                    TableName=store.table(),
                    Key=store.tag_key(tag, post["published_ms"], post_id),
                    ConditionExpression="attribute_exists(pk)",
                    UpdateExpression="SET #post.reactions = :r",
                    ExpressionAttributeNames={"#post": "post"},
                    ExpressionAttributeValues={":r": store.attribute(counts)},
                )


def _clear(post_id: str, seen: dict[int, str]) -> None:
    from eckospace import aws

    client = aws.client("dynamodb")
    for shard, touched_at in seen.items():
        # A shard touched again since keeps its marker: the next run folds it.
        with contextlib.suppress(client.exceptions.ConditionalCheckFailedException):
            client.update_item(
                TableName=store.table(),
                Key=store.shard_key(post_id, shard),
                UpdateExpression="REMOVE touched_pk, touched_sk, touched_at",
                ConditionExpression="touched_at = :seen",
                ExpressionAttributeValues={":seen": {"N": touched_at}},
            )


def refresh() -> dict[str, int]:
    from eckospace import aws

    touched = _touched()
    post_ids = list(touched)
    for first in range(0, len(post_ids), POSTS_PER_BATCH):
        batch = post_ids[first : first + POSTS_PER_BATCH]
        keys = [
            key
            for post_id in batch
            for key in [store.post_key(post_id)] + [store.shard_key(post_id, n) for n in range(SHARDS)]
        ]
        items = aws.batch_get({store.table(): {"Keys": keys, "ConsistentRead": True}})[store.table()]
        by_post: dict[str, list[dict[str, Any]]] = {}
        for item in items:
            pk = item["pk"]["S"]
            post_id = pk.split("#")[1]
            by_post.setdefault(post_id, []).append(item)
        for post_id in batch:
            _fold(post_id, by_post.get(post_id, []))
            _clear(post_id, touched[post_id])
    return {"posts": len(post_ids), "shards": sum(len(seen) for seen in touched.values())}
