"""Reactions: one per user per post, from a fixed set of types, counted exactly and without a hot
partition.

A reaction is ONE TransactWriteItems: the reaction item (put only if absent) and an ADD on one of
the post's count shards, picked at random (each shard its own partition key, so a viral post's
writes spread over partitions). The shard's condition `open = true` is what refuses reactions to
a post that is not published and visible; the post item itself is not in the transaction (a
condition check on it would make every concurrent reaction conflict on one item). A conflict is
retried on another shard after a jittered pause. Counts are the sum of the shards, so a change or
a removal may land on another shard than the first reaction did. A new reaction (not a change) is
then announced as `post.reaction_added`, naming the post's author, whom it notifies.
"""

from __future__ import annotations

import contextlib
import random
import time
from typing import Any

from eckospace import timestamps
from eckospace.errors import Conflict, DomainError, InvalidInput, Unavailable
from eckospace.posts import store
from eckospace.posts.service import load, not_found
from eckospace.posts.store import Cancelled

ATTEMPTS = 8
CHECK_FAILED = "ConditionalCheckFailed"
REACTION_BODY_SCHEMA = {
    "type": "object",
    "required": ["type"],
    "additionalProperties": False,
    "properties": {"type": {"type": "string", "enum": list(store.REACTION_TYPES)}},
}


def reaction_type(raw: bytes) -> str:
    """The reaction type in a `{"type": ...}` request body (`InvalidInput` for anything else)."""
    import json

    try:
        body = json.loads(raw or b"null")
    except ValueError:
        raise InvalidInput(
            "The request body is not valid JSON.",
            errors=[{"in": "body", "name": "body", "detail": "is not valid JSON"}],
        ) from None
    if not isinstance(body, dict) or set(body) != {"type"} or body["type"] not in store.REACTION_TYPES:
        raise InvalidInput(
            "The request has invalid or missing fields.",
            errors=[
                {"in": "body", "name": "type", "detail": f"must be one of {', '.join(store.REACTION_TYPES)}, alone"}
            ],
        )
    kind: str = body["type"]
    return kind


def _busy() -> Unavailable:
    return Unavailable("This post is receiving many reactions at once; retry shortly.", retry_after=1)


def _pause(attempt: int) -> None:
    time.sleep(random.uniform(0, 0.01 * 2 ** min(attempt, 5)))  # jitter, not secrecy


def _shard_update(post_id: str, deltas: dict[str, int], *, condition: str) -> dict[str, Any]:
    shard = store.random_shard()
    names = {"#tpk": "touched_pk", "#tsk": "touched_sk", "#tat": "touched_at"}
    values: dict[str, Any] = {
        ":tpk": {"S": f"touched#{shard}"},
        ":tsk": {"S": post_id},
        ":tat": {"N": str(store.now_ms())},
    }
    adds = []
    for position, (kind, delta) in enumerate(deltas.items()):
        names[f"#r{position}"] = f"r_{kind}"
        values[f":d{position}"] = {"N": str(delta)}
        adds.append(f"#r{position} :d{position}")
    if condition == "open":
        names["#open"] = "open"
        values[":true"] = {"BOOL": True}
        expression = "#open = :true"
    else:
        expression = "attribute_exists(pk)"
    return {
        "Update": {
            "TableName": store.table(),
            "Key": store.shard_key(post_id, shard),
            "UpdateExpression": f"ADD {', '.join(adds)} SET #tpk = :tpk, #tsk = :tsk, #tat = :tat",
            "ConditionExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
    }


def _read(post_id: str, user: str) -> dict[str, Any] | None:
    from eckospace import aws

    item = (
        aws.client("dynamodb")
        .get_item(TableName=store.table(), Key=store.reaction_key(post_id, user), ConsistentRead=True)
        .get("Item")
    )
    return store.from_item(item) if item else None


def _view(reaction: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "reaction",
        "post_id": reaction["post_id"],
        "user": reaction["user"],
        "type": reaction["kind"],
        "created_at": timestamps.from_ms(reaction["created_ms"]),
        "updated_at": timestamps.from_ms(reaction.get("updated_ms")),
    }


def _announce(reaction: dict[str, Any]) -> None:
    """Publish `post.reaction_added` for a new reaction, with the post's author (for their
    notification): one read of the post, after the write."""
    from eckospace.events import DomainEvent, publish, stable_event_id

    post = load(reaction["post_id"])
    if post is None:
        return  # deleted meanwhile
    cause = f"post.reaction_added:{reaction['post_id']}:{reaction['user']}:{reaction['created_ms']}"
    publish(
        DomainEvent(
            "post.reaction_added",
            {
                "post_id": reaction["post_id"],
                "post_author": post["author"],
                "user": reaction["user"],
                "type": reaction["kind"],
            },
            subject=reaction["post_id"],
            id=stable_event_id(cause),
        )
    )


def _closed(post_id: str, user: str) -> DomainError:
    """Why a post took no reaction: it does not exist for the user (404), or it is theirs to see but
    not open to reactions, their draft or their post a moderator hid (409). Read only on refusal."""
    if store.visible_to(load(post_id), user):
        return Conflict("This post takes reactions once it is published and visible.")
    return not_found(post_id)


def react(post_id: str, user: str, kind: str) -> tuple[dict[str, Any], bool]:
    """Set the user's reaction; (the reaction, True if it was created rather than kept or changed)."""
    if not store.POST_ID.match(post_id):
        raise not_found(post_id)
    table = store.table()
    for attempt in range(ATTEMPTS):
        ms = store.now_ms()
        reaction = {
            "pk": f"reaction#{post_id}#{user}",
            "sk": "reaction",
            "type": "reaction",
            "post_id": post_id,
            "user": user,
            "kind": kind,
            "created_ms": ms,
        }
        try:
            store.transact(
                [
                    (
                        "reaction",
                        {
                            "Put": {
                                "TableName": table,
                                "Item": store.to_item(reaction),
                                "ConditionExpression": "attribute_not_exists(pk)",
                            }
                        },
                    ),
                    ("shard", _shard_update(post_id, {kind: 1}, condition="open")),
                ]
            )
            _announce(reaction)
            return _view(reaction), True
        except Cancelled as cancelled:
            if cancelled.code_of("shard") == CHECK_FAILED:
                raise _closed(post_id, user) from None
            if cancelled.code_of("reaction") != CHECK_FAILED:
                if cancelled.conflicted:
                    _pause(attempt)
                    continue
                raise
        existing = _read(post_id, user)
        if existing is None:
            continue  # removed meanwhile: try again
        if existing["kind"] == kind:
            # A retry of the same reaction: announce it again, under its stable id, in case the first
            # attempt's publish failed after the write (consumers deduplicate by id)
            _announce(existing)
            return _view(existing), False
        changed = existing | {"kind": kind, "updated_ms": ms}
        try:
            store.transact(
                [
                    (
                        "reaction",
                        {
                            "Update": {
                                "TableName": table,
                                "Key": store.reaction_key(post_id, user),
                                "UpdateExpression": "SET #kind = :new, updated_ms = :ms",
                                "ConditionExpression": "#kind = :old",
                                "ExpressionAttributeNames": {"#kind": "kind"},
                                "ExpressionAttributeValues": {
                                    ":new": {"S": kind},
                                    ":old": {"S": existing["kind"]},
                                    ":ms": {"N": str(ms)},
                                },
                            }
                        },
                    ),
                    ("shard", _shard_update(post_id, {existing["kind"]: -1, kind: 1}, condition="open")),
                ]
            )
            return _view(changed), False
        except Cancelled as cancelled:
            if cancelled.code_of("shard") == CHECK_FAILED:
                raise _closed(post_id, user) from None
            if cancelled.code_of("reaction") != CHECK_FAILED and not cancelled.conflicted:
                raise
            _pause(attempt)
    raise _busy()


def unreact(post_id: str, user: str) -> None:
    """Remove the user's reaction, if any (idempotent). Allowed on a hidden post too, so counts stay
    exact for when it is restored."""
    if not store.POST_ID.match(post_id):
        return
    table = store.table()
    for attempt in range(ATTEMPTS):
        existing = _read(post_id, user)
        if existing is None:
            return
        delete = {
            "Delete": {
                "TableName": table,
                "Key": store.reaction_key(post_id, user),
                "ConditionExpression": "#kind = :old",
                "ExpressionAttributeNames": {"#kind": "kind"},
                "ExpressionAttributeValues": {":old": {"S": existing["kind"]}},
            }
        }
        try:
            store.transact(
                [("reaction", delete), ("shard", _shard_update(post_id, {existing["kind"]: -1}, condition="exists"))]
            )
            return
        except Cancelled as cancelled:
            if cancelled.code_of("shard") == CHECK_FAILED and cancelled.code_of("reaction") != CHECK_FAILED:
                # The post is gone (its shards with it): the reaction alone remains to remove.
                with contextlib.suppress(Cancelled):
                    store.transact([("reaction", delete)])
                return
            if cancelled.code_of("reaction") != CHECK_FAILED and not cancelled.conflicted:
                raise
            _pause(attempt)
    raise _busy()
