"""The chat listings: a conversation's history and a person's inbox, paged with signed cursors
(only the listing functions hold the cursor keys)."""

from __future__ import annotations

from typing import Any

from eckospace import aws
from eckospace.chat import store
from eckospace.chat.conversations import read_state
from eckospace.chat.views import conversation_view, message_view
from eckospace.cursors import decode_cursor, encode_cursor


def history(conversation: str, viewer: str, *, limit: int, cursor: str | None) -> dict[str, Any]:
    """Messages newest first. Pages follow `seq`, so messages sent while paging never shift them."""
    scope = (conversation, viewer)
    start = decode_cursor(cursor, listing="chat-messages", scope=scope)
    read_state(conversation, viewer)
    request: dict[str, Any] = {
        "TableName": store.table(),
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :msg)",
        "ExpressionAttributeValues": {":pk": {"S": f"conv#{conversation}"}, ":msg": {"S": "msg#"}},
        "ScanIndexForward": False,
        "Limit": limit,
        "ConsistentRead": True,
    }
    if start:
        request["ExclusiveStartKey"] = start
    answer = aws.client("dynamodb").query(**request)
    return {
        "data": [message_view(store.from_item(item)) for item in answer["Items"]],
        "next_cursor": encode_cursor(answer.get("LastEvaluatedKey"), listing="chat-messages", scope=scope),
    }


def inbox(user: str, *, limit: int, cursor: str | None) -> dict[str, Any]:
    """`user`'s conversations, latest activity first, and on the first page their unread total:
    one Query of the Inbox index per page (the total is an item of the same partition, sorted first)."""
    start = decode_cursor(cursor, listing="chat-inbox", scope=user)
    request: dict[str, Any] = {
        "TableName": store.table(),
        "IndexName": store.INBOX,
        "KeyConditionExpression": "inbox_pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": f"inbox#{user}"}},
        "ScanIndexForward": False,
        "Limit": limit if start else limit + 1,
    }
    if start:
        request["ExclusiveStartKey"] = start
    answer = aws.client("dynamodb").query(**request)
    items = answer["Items"]
    total = None
    if not start:
        total = 0
        if items and items[0]["sk"]["S"] == "total":
            total = max(0, int(items.pop(0)["unread"]["N"]))
    more = bool(answer.get("LastEvaluatedKey")) or len(items) > limit
    items = items[:limit]
    last = {name: items[-1][name] for name in ("pk", "sk", "inbox_pk", "inbox_sk")} if more and items else None
    return {
        "data": [conversation_view(store.from_item(item)) for item in items],
        "next_cursor": encode_cursor(last, listing="chat-inbox", scope=user),
        "unread_total": total,
    }


def blocks(user: str, *, limit: int, cursor: str | None) -> dict[str, Any]:
    """The people `user` blocked, by user id."""
    from eckospace.chat.blocks import block_view

    start = decode_cursor(cursor, listing="chat-blocks", scope=user)
    request: dict[str, Any] = {
        "TableName": store.table(),
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": f"blocks#{user}"}},
        "Limit": limit,
    }
    if start:
        request["ExclusiveStartKey"] = start
    answer = aws.client("dynamodb").query(**request)
    return {
        "data": [block_view(store.from_item(item)) for item in answer["Items"]],
        "next_cursor": encode_cursor(answer.get("LastEvaluatedKey"), listing="chat-blocks", scope=user),
    }
