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
MAX_ATTACHMENTS = 10
MEDIA_ID = re.compile(r"^med_[0-9a-f]{24}$")
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
    attachments: list[str] | None = None,
    reply_to: str | None = None,
    about: dict[str, str] | None = None,
) -> tuple[dict[str, Any], bool]:
    """The message `author` sends, and whether it is new (False: a retry of a send that was made).
    Attachments must be the author's own ready media, checked again inside the transaction. `about`
    names what the message asks about (a listing or a job, for a message sent as a contact)."""
    text = _text(text)
    media_ids = list(dict.fromkeys(attachments or []))
    if len(media_ids) > MAX_ATTACHMENTS:
        raise Unprocessable(
            f"A message holds at most {MAX_ATTACHMENTS} attachments.",
            errors=[{"in": "body", "name": "attachments", "detail": "too many"}],
        )
    for media_id in media_ids:
        if not MEDIA_ID.match(media_id):
            raise _attachment_problem(media_id)
    summaries: list[dict[str, Any]] | None = None
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
        if summaries is None:
            summaries = _summaries(author, media_ids)
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
            "attachments": summaries or None,
            "about": about,
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
        if media_ids:
            from eckospace.media.attachments import attach_operations

            operations += attach_operations(
                f"message:{conversation}:{seq}",
                owner=author,
                before=[],
                after=media_ids,
                public_before=False,
                public_after=False,
            )
        try:
            transact(operations)
        except Cancelled as cancelled:
            if cancelled.failed == "rate":
                raise _rate_limited(now) from None
            if cancelled.failed and cancelled.failed.startswith("block:"):
                raise Blocked("You cannot send messages in this conversation.") from None
            if cancelled.failed == "reply":
                raise _no_reply(str(reply_to)) from None
            if cancelled.failed and cancelled.failed.startswith("media:"):
                raise _attachment_problem(cancelled.failed.removeprefix("media:")) from None
            _backoff(attempt)  # another send (or this one's retry) moved the head: read again
            continue
        return message_view(message), True
    raise Conflict("The conversation is busy; send again with the same client_message_id.", retry_after=1)


def _attachment_problem(media_id: str) -> Unprocessable:
    return Unprocessable(
        f"Attachment {media_id[:40]} is not one of your ready media.",
        errors=[{"in": "body", "name": "attachments", "detail": f"{media_id[:40]} is not one of your ready media"}],
    )


def _summaries(author: str, media_ids: list[str]) -> list[dict[str, Any]]:
    """What the message keeps of each media (one read); another's media is refused as a missing one is."""
    if not media_ids:
        return []
    from eckospace.media.attachments import NotAttachable, summaries

    try:
        return summaries(author, media_ids)
    except NotAttachable as refused:
        raise _attachment_problem(refused.media_id) from None


def _no_reply(reply_to: str) -> NotFound:
    return NotFound(f"No message {reply_to[:40]} in this conversation to reply to.")


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


EDIT_WINDOW_MS = 15 * 60 * 1000
REMOVED_BY_MODERATION = "moderation"


class EditWindowClosed(Conflict):
    slug = "edit-window-closed"
    title = "Edit window closed"


def _own_message(conversation: str, user: str, message_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The head and the message `user` wrote, once; NotFound for any other (or a tombstone) and
    NotPermitted for someone else's."""
    from eckospace.errors import NotPermitted

    seq = store.seq_of(message_id)
    if seq is None:
        raise NotFound(f"No message {message_id[:40]} in this conversation.")
    head, _member, message = read_state(conversation, user, extra=(store.message_key(conversation, seq),))
    if not message or message.get("deleted_ms"):
        raise NotFound(f"No message {message_id[:40]} in this conversation.")
    if message["author"] != user:
        raise NotPermitted("Only its author may change a message.")
    return head, message


def _change(conversation: str, head: dict[str, Any], message: dict[str, Any], update: dict[str, Any]) -> None:
    """The message's change, with the head's copy of it when it is the newest message (a message
    sent meanwhile makes that copy moot: then the change goes alone)."""
    operations: list[Operation] = [("message", {"Update": update})]
    if head["last_seq"] == message["seq"]:
        operations.append(
            (
                "head",
                {
                    "Update": {
                        "TableName": store.table(),
                        "Key": store.head_key(conversation),
                        "UpdateExpression": "SET last_message = :summary",
                        "ConditionExpression": "last_seq = :seq",
                        "ExpressionAttributeValues": {
                            ":summary": store.attribute(summary(message)),
                            ":seq": {"N": str(message["seq"])},
                        },
                    }
                },
            )
        )
    try:
        transact(operations)
    except Cancelled as cancelled:
        if cancelled.failed != "head":
            raise
        transact(operations[:1])


def edit_message(conversation: str, user: str, message_id: str, text: str) -> dict[str, Any]:
    """The author's new text, within `EDIT_WINDOW_MS` of sending; the message is then `edited`."""
    text = _text(text)
    head, message = _own_message(conversation, user, message_id)
    now = store.now_ms()
    if now - message["created_ms"] > EDIT_WINDOW_MS:
        raise EditWindowClosed("A message can be edited for 15 minutes after it is sent.")
    if text == message["text"]:
        return message_view(message)
    edited = message | {"text": text, "edited_ms": now}
    update = {
        "TableName": store.table(),
        "Key": store.message_key(conversation, message["seq"]),
        "UpdateExpression": "SET #text = :text, edited_ms = :now",
        "ConditionExpression": "attribute_not_exists(deleted_ms) AND created_ms > :cutoff",
        "ExpressionAttributeNames": {"#text": "text"},
        "ExpressionAttributeValues": {
            ":text": {"S": text},
            ":now": {"N": str(now)},
            ":cutoff": {"N": str(now - EDIT_WINDOW_MS)},
        },
    }
    try:
        _change(conversation, head, edited, update)
    except Cancelled:
        raise NotFound(f"No message {message_id[:40]} in this conversation.") from None
    return message_view(edited)


def _tombstone(
    conversation: str, head: dict[str, Any], message: dict[str, Any], *, removed_by: str | None = None
) -> dict[str, Any] | None:
    """Leaves a tombstone in the message's place (its number, author and times; no text, no
    attachments), with who removed it when it was not its author. None when it was one already."""
    now = store.now_ms()
    tombstone = {name: value for name, value in message.items() if name not in ("text", "attachments")}
    tombstone["deleted_ms"] = now
    values = {":now": {"N": str(now)}}
    marks = "deleted_ms = :now"
    if removed_by:
        tombstone["removed_by"] = removed_by
        values[":by"] = {"S": removed_by}
        marks += ", removed_by = :by"
    update = {
        "TableName": store.table(),
        "Key": store.message_key(conversation, message["seq"]),
        "UpdateExpression": f"SET {marks} REMOVE #text, attachments",
        "ConditionExpression": "attribute_not_exists(deleted_ms)",
        "ExpressionAttributeNames": {"#text": "text"},
        "ExpressionAttributeValues": values,
    }
    try:
        _change(conversation, head, tombstone, update)
    except Cancelled:
        return None  # deleted meanwhile
    return message_view(tombstone)


def delete_message(conversation: str, user: str, message_id: str) -> dict[str, Any] | None:
    """The author's deletion: a tombstone. None when it was one already."""
    try:
        head, message = _own_message(conversation, user, message_id)
    except NotFound:
        seq = store.seq_of(message_id)
        stored = load_message(conversation, seq) if seq else None
        if stored and stored.get("deleted_ms") and stored["author"] == user:
            return None  # deleted before: deleting is idempotent
        raise
    return _tombstone(conversation, head, message)


def stored_message(conversation: str, message_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The head and the message, a tombstone included, read for someone who need not be a member
    (a moderator); NotFound when either is missing."""
    seq = store.seq_of(message_id)
    if seq is None or not store.CONVERSATION_ID.match(conversation):
        raise NotFound(f"No message {message_id[:40]} in conversation {conversation[:40]}.")
    keys = [store.head_key(conversation), store.message_key(conversation, seq)]
    found = aws.batch_get({store.table(): {"Keys": keys, "ConsistentRead": True}})[store.table()]
    by_sk = {item["sk"]["S"]: store.from_item(item) for item in found}
    head, message = by_sk.get("conversation"), by_sk.get(keys[1]["sk"]["S"])
    if head is None or message is None:
        raise NotFound(f"No message {message_id[:40]} in conversation {conversation[:40]}.")
    return head, message


def remove_message(conversation: str, head: dict[str, Any], message: dict[str, Any]) -> dict[str, Any] | None:
    """A moderator's removal: the tombstone an author's deletion leaves, marked as the moderators'.
    None when the message was a tombstone already."""
    if message.get("deleted_ms"):
        return None
    return _tombstone(conversation, head, message, removed_by=REMOVED_BY_MODERATION)
