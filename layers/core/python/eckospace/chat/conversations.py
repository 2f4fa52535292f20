"""Conversations: opening a direct one, reading one, and the inbox.

Only members see a conversation, its members or its messages: to anyone else it does not exist
(404), whatever its id.
"""

from __future__ import annotations

import hashlib
from typing import Any

from eckospace import aws
from eckospace.chat import store
from eckospace.chat.views import conversation_view
from eckospace.errors import NotFound, NotPermitted
from eckospace.transactions import Cancelled, Operation, transact

ATTEMPTS = 5


class Blocked(NotPermitted):
    """One of the two people blocked the other."""

    slug = "blocked"
    title = "Blocked"


def not_found(conversation: str) -> NotFound:
    return NotFound(f"No conversation {conversation} that you are a member of.")


def direct_id(one: str, other: str) -> str:
    """The same for both people, whoever opens it: two opening it at once make one conversation."""
    first, second = sorted((one, other))
    return "dm_" + hashlib.sha256(f"{first}\n{second}".encode()).hexdigest()[:32]


def block_checks(one: str, other: str) -> list[Operation]:
    """ConditionChecks, for a transaction, that neither of two people blocked the other."""
    return [
        (
            f"block:{blocker}",
            {
                "ConditionCheck": {
                    "TableName": store.table(),
                    "Key": store.block_key(blocker, blocked),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        )
        for blocker, blocked in ((one, other), (other, one))
    ]


def member_item(head: dict[str, Any], user: str, role: str, now: int) -> dict[str, Any]:
    peers = [member for member in head.get("members", []) if member != user]
    return {
        **{name: value["S"] for name, value in store.member_key(head["id"], user).items()},
        "type": "member",
        "conversation_id": head["id"],
        "conversation_type": head["type"],
        "title": head.get("title"),
        "peer": peers[0] if head["type"] == store.DIRECT else None,
        "user": user,
        "role": role,
        "created_ms": head["created_ms"],
        "joined_ms": now,
        "last_seq": head["last_seq"],
        "last_read_seq": head["last_seq"],
        "last_message": head.get("last_message"),
        "activity_ms": head["activity_ms"],
        "inbox_pk": f"inbox#{user}",
        "inbox_sk": store.inbox_sort_key(head["activity_ms"], head["id"]),
    }


def put(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": store.table(),
            "Item": store.to_item(item),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def open_direct(user: str, peer: str) -> tuple[dict[str, Any], bool]:
    """The direct conversation between `user` and `peer`, made if it is new (True)."""
    if peer == user:
        raise NotPermitted("A direct conversation is with someone else.")
    conversation = direct_id(user, peer)
    for _ in range(ATTEMPTS):
        now = store.now_ms()
        head = {
            **{name: value["S"] for name, value in store.head_key(conversation).items()},
            "type": store.DIRECT,
            "id": conversation,
            "members": sorted((user, peer)),
            "created_by": user,
            "created_ms": now,
            "activity_ms": now,
            "last_seq": 0,
        }
        operations: list[Operation] = [("head", put(head))]
        operations += [(f"member:{who}", put(member_item(head, who, store.MEMBER, now))) for who in (user, peer)]
        operations += [(f"total:{who}", store.total_update(who, 0)) for who in (user, peer)]
        operations += block_checks(user, peer)
        try:
            transact(operations)
        except Cancelled as cancelled:
            if cancelled.failed == "head":  # it exists: whoever made it first, it is this one
                return read_conversation(conversation, user), False
            if cancelled.failed and cancelled.failed.startswith("block:"):
                raise Blocked("You cannot open a conversation with this person.") from None
            continue  # a concurrent opening: read what it made
        view = conversation_view(member_item(head, user, store.MEMBER, now), head)
        return view | {"members": [{"user_id": who, "role": store.MEMBER} for who in head["members"]]}, True
    return read_conversation(conversation, user), False


def read_state(conversation: str, user: str, *, extra: tuple[dict[str, Any], ...] = ()) -> tuple[dict[str, Any], ...]:
    """The conversation's head and `user`'s membership (and `extra` keys of its partition) in one
    consistent BatchGetItem; NotFound unless `user` is a member."""
    if not store.CONVERSATION_ID.match(conversation):
        raise not_found(conversation)
    keys = [store.head_key(conversation), store.member_key(conversation, user), *extra]
    found = aws.batch_get({store.table(): {"Keys": keys, "ConsistentRead": True}})[store.table()]
    by_sk = {item["sk"]["S"]: store.from_item(item) for item in found}
    head = by_sk.get("conversation")
    member = by_sk.get(keys[1]["sk"]["S"])
    if head is None or member is None:
        raise not_found(conversation)
    return head, member, *(by_sk.get(key["sk"]["S"]) or {} for key in extra)


def read_conversation(conversation: str, user: str) -> dict[str, Any]:
    head, member = read_state(conversation, user)
    view = conversation_view(member, head)
    found = (
        members(conversation)
        if head["type"] == store.GROUP
        else [{"user": u, "role": store.MEMBER} for u in head["members"]]
    )
    view["members"] = [{"user_id": member["user"], "role": member["role"]} for member in found]
    return view


def members(conversation: str) -> list[dict[str, Any]]:
    """Every membership of a conversation, read consistently (at most a few pages)."""
    dynamodb = aws.client("dynamodb")
    found: list[dict[str, Any]] = []
    request: dict[str, Any] = {
        "TableName": store.table(),
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :member)",
        "ExpressionAttributeValues": {":pk": {"S": f"conv#{conversation}"}, ":member": {"S": "member#"}},
        "ConsistentRead": True,
    }
    while True:
        answer = dynamodb.query(**request)
        found += [store.from_item(item) for item in answer["Items"]]
        if not answer.get("LastEvaluatedKey"):
            return found
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
