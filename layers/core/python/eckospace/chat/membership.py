"""Whether someone is a member of a conversation: what the realtime channel rule for
`private-conversations.{id}` and `presence-conversations.{id}` asks (one GetItem)."""

from __future__ import annotations

from eckospace import aws
from eckospace.chat import settings, store


def is_member(conversation: str, user: str) -> bool:
    if not settings.TABLE() or not store.CONVERSATION_ID.match(conversation):
        return False  # chat is switched off, or no conversation has such an id
    item = (
        aws.client("dynamodb")
        .get_item(
            TableName=store.table(),
            Key=store.member_key(conversation, user),
            ProjectionExpression="pk",
            ConsistentRead=True,
        )
        .get("Item")
    )
    return item is not None
