"""Messages: sending (exactly once per client message id, numbered without gaps), history, edits,
tombstones, and read state.

A send is one TransactWriteItems: the head's `last_seq` moves from the value read to the next
(a concurrent send makes it fail and read again), the message and the sender's client-message-id
marker are put, the sender's read state moves to it, the sender's send rate is counted, and for a
direct conversation neither person may have blocked the other. A retried send with the same
client message id finds its marker and answers the message it made.
"""

from __future__ import annotations

import random
import re
import time
import unicodedata
from typing import Any

from eckospace import aws
from eckospace.chat import settings, store
from eckospace.chat.conversations import Blocked, block_checks, not_found, read_state
from eckospace.chat.views import message_view, read_state_view
from eckospace.errors import Conflict, LimitReached, NotFound, Unprocessable
from eckospace.posts.text import TEXT_PATTERN
from eckospace.transactions import Cancelled, Operation, transact

MAX_TEXT = 4000
CLIENT_MESSAGE_ID = r"^[A-Za-z0-9_.:-]{1,64}$"
ATTEMPTS = 12  # optimistic rounds against concurrent senders before answering 409
_TEXT = re.compile(TEXT_PATTERN)


def _text(raw: str) -> str:
    text = unicodedata.normalize("NFC", raw)
    if not 1 <= len(text) <= MAX_TEXT or not _TEXT.match(text):
        raise Unprocessable(
            f"text must be 1 to {MAX_TEXT} characters, not blank, without control characters but newline and tab.",
            errors=[{"in": "body", "name": "text", "detail": "breaks the text rules"}],
        )
    return text


def _backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, 0.005 * 2 ** min(attempt, 5)))  # noqa: S311 (jitter, not a secret)


def _rate_limited(now: float) -> LimitReached:
    limit = settings.SENDS_PER_MINUTE()
    return LimitReached(
        f"You may send {limit} messages a minute.", retry_after=60 - int(now) % 60, per_minute_limit=limit
    )


def _rate_update(user: str, now: float) -> dict[str, Any]:
    minute = int(now // 60)
    return {
        "Update": {
            "TableName": store.table(),
            "Key": store.rate_key(user, minute),
            "UpdateExpression": "ADD sent :one SET expires_at = :expires",
            "ConditionExpression": "attribute_not_exists(sent) OR sent < :limit",
            "ExpressionAttributeValues": {
                ":one": {"N": "1"},
                ":limit": {"N": str(settings.SENDS_PER_MINUTE())},
                ":expires": {"N": str((minute + 2) * 60)},
            },
        }
    }


def summary(message: dict[str, Any]) -> dict[str, Any]:
    """What heads and inboxes keep of the latest message."""
    return {
        "seq": message["seq"],
        "author": message["author"],
        "text": None if message.get("deleted_ms") else message["text"],
        "deleted": bool(message.get("deleted_ms")),
        "created_ms": message["created_ms"],
    }


def member_moved(conversation: str, member: dict[str, Any], last_read_seq: int) -> list[Operation]:
    """The writes that move a member's read state to `last_read_seq` (conditional on the state read)
    and their unread total by as much as their unread count changes."""
    user = member["user"]
    before = store.unread(member)
    after = store.unread(member | {"last_read_seq": last_read_seq})
    operations: list[Operation] = [
        (
            "member",
            {
                "Update": {
                    "TableName": store.table(),
                    "Key": store.member_key(conversation, user),
                    "UpdateExpression": "SET last_read_seq = :read",
                    "ConditionExpression": "last_read_seq = :was AND last_seq = :copy",
                    "ExpressionAttributeValues": {
                        ":read": {"N": str(last_read_seq)},
                        ":was": {"N": str(member["last_read_seq"])},
                        ":copy": {"N": str(member["last_seq"])},
                    },
                }
            },
        )
    ]
    if after != before:
        operations.append(("total", store.total_update(user, after - before)))
    return operations


def load_message(conversation: str, seq: int) -> dict[str, Any] | None:
    item = (
        aws.client("dynamodb")
        .get_item(TableName=store.table(), Key=store.message_key(conversation, seq), ConsistentRead=True)
        .get("Item")
    )
    return store.from_item(item) if item else None


def send_message(
    conversation: str,
    author: str,
    *,
    client_message_id: str,
    text: str,
    reply_to: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """The message `author` sends, and whether it is new (False: a retry of a send that was made)."""
    text = _text(text)
    reply_seq = store.seq_of(reply_to) if reply_to is not None else None
    if reply_to is not None and reply_seq is None:
        raise _no_reply(reply_to)
    marker_key = store.client_key(conversation, author, client_message_id)
    for attempt in range(ATTEMPTS):
        head, member, marker = read_state(conversation, author, extra=(marker_key,))
        if marker:
            made = load_message(conversation, marker["seq"])
            assert made is not None
            return message_view(made), False
        seq = head["last_seq"] + 1
        if reply_seq is not None and reply_seq >= seq:
            raise _no_reply(str(reply_to))
        now = time.time()
        message = {
            **{name: value["S"] for name, value in store.message_key(conversation, seq).items()},
            "type": "message",
            "conversation_id": conversation,
            "seq": seq,
            "author": author,
            "client_message_id": client_message_id,
            "text": text,
            "reply_to": reply_seq,
            "created_ms": int(now * 1000),
        }
        operations: list[Operation] = [
            (
                "head",
                {
                    "Update": {
                        "TableName": store.table(),
                        "Key": store.head_key(conversation),
                        "UpdateExpression": "SET last_seq = :seq, activity_ms = :at, last_message = :summary",
                        "ConditionExpression": "last_seq = :was",
                        "ExpressionAttributeValues": {
                            ":seq": {"N": str(seq)},
                            ":was": {"N": str(head["last_seq"])},
                            ":at": {"N": str(message["created_ms"])},
                            ":summary": store.attribute(summary(message)),
                        },
                    }
                },
            ),
            (
                "message",
                {
                    "Put": {
                        "TableName": store.table(),
                        "Item": store.to_item(message),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ),
            (
                "marker",
                {
                    "Put": {
                        "TableName": store.table(),
                        "Item": store.to_item(
                            {
                                **{name: value["S"] for name, value in marker_key.items()},
                                "type": "client-message",
                                "seq": seq,
                            }
                        ),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ),
            *member_moved(conversation, member, seq),
            ("rate", _rate_update(author, now)),
        ]
        if reply_seq is not None:
            operations.append(
                (
                    "reply",
                    {
                        "ConditionCheck": {
                            "TableName": store.table(),
                            "Key": store.message_key(conversation, reply_seq),
                            "ConditionExpression": "attribute_exists(pk)",
                        }
                    },
                )
            )
        if head["type"] == store.DIRECT:
            peer = next(user for user in head["members"] if user != author)
            operations += block_checks(author, peer)
        try:
            transact(operations)
        except Cancelled as cancelled:
            if cancelled.failed == "rate":
                raise _rate_limited(now) from None
            if cancelled.failed and cancelled.failed.startswith("block:"):
                raise Blocked("You cannot send messages in this conversation.") from None
            if cancelled.failed == "reply":
                raise _no_reply(str(reply_to)) from None
            _backoff(attempt)  # another send (or this one's retry) moved the head: read again
            continue
        return message_view(message), True
    raise Conflict("The conversation is busy; send again with the same client_message_id.", retry_after=1)


def _no_reply(reply_to: str) -> Unprocessable:
    return Unprocessable(
        f"reply_to {reply_to[:40]} is no message of this conversation.",
        errors=[{"in": "body", "name": "reply_to", "detail": "is no message of this conversation"}],
    )


def mark_read(conversation: str, user: str, message_id: str | None = None) -> tuple[dict[str, Any], bool]:
    """Moves `user`'s read state forward to `message_id` (the latest message when None); never back.
    The state, and whether it moved."""
    for attempt in range(ATTEMPTS):
        head, member = read_state(conversation, user)
        target = head["last_seq"] if message_id is None else store.seq_of(message_id)
        if target is None or target > head["last_seq"]:
            raise NotFound(f"No message {str(message_id)[:40]} in this conversation.")
        if target <= member["last_read_seq"]:
            return read_state_view(conversation, user, member["last_read_seq"], head["last_seq"]), False
        try:
            transact(member_moved(conversation, member, target))
        except Cancelled:
            _backoff(attempt)  # the inbox function or another read moved the member: read again
            continue
        return read_state_view(conversation, user, target, head["last_seq"]), True
    raise Conflict("The read state is changing; try again.", retry_after=1)


def require_member(conversation: str, user: str) -> None:
    if not store.CONVERSATION_ID.match(conversation):
        raise not_found(conversation)
    read_state(conversation, user)
