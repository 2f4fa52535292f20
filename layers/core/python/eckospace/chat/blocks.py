"""Blocks: someone you block can no longer open a direct conversation with you or send you direct
messages, and neither can you with them (sends check both directions in their own transaction)."""

from __future__ import annotations

from typing import Any

from eckospace import aws, timestamps
from eckospace.chat import store
from eckospace.errors import NotPermitted


def block_view(item: dict[str, Any]) -> dict[str, Any]:
    return {"object": "block", "user_id": item["blocked"], "created_at": timestamps.from_ms(item["created_ms"])}


def block(blocker: str, blocked: str) -> tuple[dict[str, Any], bool]:
    """The block, and whether it is new."""
    if blocker == blocked:
        raise NotPermitted("You cannot block yourself.")
    dynamodb = aws.client("dynamodb")
    item = {
        **{name: value["S"] for name, value in store.block_key(blocker, blocked).items()},
        "type": "block",
        "blocked": blocked,
        "created_ms": store.now_ms(),
    }
    try:
        dynamodb.put_item(
            TableName=store.table(), Item=store.to_item(item), ConditionExpression="attribute_not_exists(pk)"
        )
    except dynamodb.exceptions.ConditionalCheckFailedException:
        found = dynamodb.get_item(TableName=store.table(), Key=store.block_key(blocker, blocked), ConsistentRead=True)
        if "Item" in found:
            return block_view(store.from_item(found["Item"])), False
        return block(blocker, blocked)  # removed meanwhile: block again
    return block_view(item), True


def unblock(blocker: str, blocked: str) -> None:
    """Idempotent: unblocking someone not blocked changes nothing."""
    aws.client("dynamodb").delete_item(TableName=store.table(), Key=store.block_key(blocker, blocked))
