"""Contact without exposing anyone: someone asks the owner of a published listing or job about it,
and the two talk without either seeing the other's email or phone (each sees the other's user id).

- **One contact per asker and posting** (`ctc_`, derived from both, so concurrent first messages
  make one). It exists for its two people alone: 404 to anyone else, whatever its id.
- **Where the words go.** With the chat module on, a contact is the direct conversation between the
  asker and the owner: each message asked here is a chat message there, naming the posting it is
  about, so chat's blocks, reports, notifications and live delivery apply, and the two answer each
  other in chat. Without chat, the contact is a relayed thread kept in the marketplace's table: both
  write through `/api/contacts/{id}/messages`, and each message notifies the other
  (`contact.message_created`).
- **Exact limits on the asker.** At most `CONTACTS_PER_POSTING` messages about one posting, and
  `DAILY_CONTACTS` a UTC day about any. Each limit is one conditional counter update taken before
  the message is written, and given back when the message is not (refused, blocked, a fault), so
  concurrent attempts make exactly as many messages as the limits leave room for. The owner's
  answers are not counted: they only reach someone who asked.

Items (marketplace table):
- `contact#<id>` / `contact`: the contact, on `ByOwner` as `contacts-sent#<asker>` and on `Newest`
  as `contacts-received#<owner>`, newest first.
- `contact#<id>` / `message#<created_ms>#<message id>`: a relayed message.
- `contacts#<asker>` / `posting#<posting id>`: the asker's count for one posting.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eckospace import aws, items, timestamps
from eckospace.allowances import DailyAllowance, Quantity
from eckospace.errors import Conflict, DomainError, LimitReached, NotFound
from eckospace.ids import ms_of, new_id, now_ms, sort_key
from eckospace.marketplace import lifecycle, postings, settings, store
from eckospace.marketplace.kinds import Kind, kind_of
from eckospace.transactions import Cancelled, Operation, transact

CONTACT_ID = re.compile(r"^ctc_[0-9a-f]{32}$")
MESSAGE_PREFIX = "cmg"
CHAT, RELAY = "chat", "relay"
PREVIEW = 140  # characters of a message a notification shows
DAILY_CONTACTS = DailyAllowance("contacts", (Quantity("messages", "used", "daily_limit", settings.DAILY_CONTACTS),))


class PostingContactsUsedUp(LimitReached):
    """The asker sent as many messages about this posting as anyone may: this limit does not renew."""

    slug = "contact-limit-reached"
    title = "No more messages about this posting"

    def __init__(self, limit: int) -> None:
        DomainError.__init__(
            self,
            f"You have sent the {limit} messages anyone may send about one posting; wait for an answer.",
            per_posting_limit=limit,
        )


class UseTheConversation(Conflict):
    """The contact is a chat conversation: its messages are read and answered there."""

    slug = "contact-in-chat"
    title = "This contact is a chat conversation"


def contact_id(posting_id: str, asker: str) -> str:
    return "ctc_" + hashlib.sha256(f"{posting_id}\n{asker}".encode()).hexdigest()[:32]


def not_found(contact: str) -> NotFound:
    return NotFound(f"No contact {contact[:40]} that you are part of.")


def _key(contact: str) -> dict[str, Any]:
    return {"pk": {"S": f"contact#{contact}"}, "sk": {"S": "contact"}}


def _counter_key(asker: str, posting_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"contacts#{asker}"}, "sk": {"S": f"posting#{posting_id}"}}


def view(contact: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": contact["id"],
        "object": "contact",
        "posting": {
            "object": contact["posting_object"],
            "id": contact["posting_id"],
            "title": contact["posting_title"],
        },
        "asker": contact["asker"],
        "owner": contact["owner"],
        "channel": contact["channel"],
        "conversation_id": contact.get("conversation_id"),
        "message_count": contact.get("message_count", 0),
        "last_message": contact.get("last_message"),
        "created_at": timestamps.from_ms(contact["created_ms"]),
        "updated_at": timestamps.from_ms(contact["updated_ms"]),
    }


def message_view(message: dict[str, Any]) -> dict[str, Any]:
    removed = bool(message.get("removed_ms"))
    return {
        "id": message["id"],
        "object": "contact_message",
        "contact_id": message["contact_id"],
        "author": message["author"],
        "text": None if removed else message["text"],
        "removed": removed,
        "created_at": timestamps.from_ms(message["created_ms"]),
    }


def message_key(contact: str, message_id: str) -> dict[str, Any] | None:
    """The key of a relayed message (None for a string that is no message id)."""
    ms = ms_of(message_id) if message_id.startswith(f"{MESSAGE_PREFIX}_") else None
    if ms is None:
        return None
    return {"pk": {"S": f"contact#{contact}"}, "sk": {"S": f"message#{sort_key(ms, message_id)}"}}


# ------------------------------------------------------------------------------------ limits
@contextmanager
def counted(asker: str, posting_id: str, now: float) -> Iterator[Callable[[], None]]:
    """Count one message of `asker` about `posting_id` against both limits (or refuse it with 429)
    for the block that writes it, and give the counts back if that block fails. The block gets what
    gives them back, for a message that turns out to have been sent before."""
    dynamodb, table = aws.client("dynamodb"), store.table()
    limit = settings.CONTACTS_PER_POSTING()
    keys = [_counter_key(asker, posting_id)]

    def give_back() -> None:
        for key in keys:
            dynamodb.update_item(
                TableName=table, Key=key, UpdateExpression="ADD used :less", ExpressionAttributeValues=_LESS
            )

    try:
        dynamodb.update_item(
            TableName=table,
            Key=keys[0],
            UpdateExpression="ADD used :one",
            ConditionExpression="attribute_not_exists(used) OR used < :limit",
            ExpressionAttributeValues={":one": {"N": "1"}, ":limit": {"N": str(limit)}},
        )
    except dynamodb.exceptions.ConditionalCheckFailedException:
        raise PostingContactsUsedUp(limit) from None
    try:
        daily = store.allowance_key(DAILY_CONTACTS, asker, now)
        DAILY_CONTACTS.count(table, daily, now)
        keys.append(daily)
        yield give_back
    except BaseException:
        give_back()
        raise


_LESS = {":less": {"N": "-1"}}


def require_published(posting: dict[str, Any], kind: Kind) -> None:
    if posting["status"] != lifecycle.PUBLISHED or posting["expires_ms"] <= now_ms():
        raise lifecycle.refuse(posting["status"], kind, f"Only a published {kind.noun} takes messages.")


def new_contact(
    kind: Kind, posting: dict[str, Any], asker: str, owner: str, now: int, *, channel: str
) -> dict[str, Any]:
    """A contact as its first message makes it (`record` writes it)."""
    return {
        "id": contact_id(posting["id"], asker),
        "posting_object": kind.noun,
        "posting_id": posting["id"],
        "posting_title": posting["title"],
        "asker": asker,
        "owner": owner,
        "channel": channel,
        "created_ms": now,
    }


def record(head: dict[str, Any], last: dict[str, Any], now: int, *, extra: Sequence[Operation] = ()) -> dict[str, Any]:
    """Write the contact (made by its first message) with `last` as its latest message, in one
    transaction with `extra`; the contact as it is then."""
    summary = {
        "id": last["id"],
        "author": last["author"],
        "text": last["text"][:PREVIEW],
        "created_at": timestamps.from_ms(last["created_ms"]),
    }
    made = {  # kept from the first message on
        "id": head["id"],
        "posting_object": head["posting_object"],
        "posting_id": head["posting_id"],
        "asker": head["asker"],
        "owner": head["owner"],
        "channel": head["channel"],
        "created_ms": head["created_ms"],
        "type": "contact",
        "owner_pk": f"contacts-sent#{head['asker']}",
        "owner_sk": sort_key(head["created_ms"], head["id"]),
        "browse_pk": f"contacts-received#{head['owner']}",
        "browse_sk": sort_key(head["created_ms"], head["id"]),
    }
    changed = {"posting_title": head["posting_title"], "updated_ms": now, "last_message": summary}
    if head.get("conversation_id"):
        changed["conversation_id"] = head["conversation_id"]
    names = {f"#{n}": name for n, name in enumerate([*made, *changed])}
    values = {f":{n}": items.attribute(value) for n, value in enumerate([*made.values(), *changed.values()])}
    assignments = [f"#{n} = if_not_exists(#{n}, :{n})" for n in range(len(made))]
    assignments += [f"#{n} = :{n}" for n in range(len(made), len(names))]
    operation = {
        "Update": {
            "TableName": store.table(),
            "Key": _key(head["id"]),
            "UpdateExpression": f"SET {', '.join(assignments)} ADD message_count :one",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values | {":one": {"N": "1"}},
        }
    }
    try:
        transact([*extra, ("contact", operation)])
    except Cancelled as cancelled:
        if cancelled.failed == "posting":
            raise Conflict("The posting changed meanwhile and takes no messages now.") from None
        if cancelled.conflicted:
            raise Conflict("The message could not be written; send it again.", retry_after=1) from None
        raise
    written = _load(head["id"])
    assert written is not None
    return written


def relay(
    head: dict[str, Any], author: str, text: str, now: int, *, posting: dict[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Store a relayed message (the asker's on condition that the posting is still published): the
    contact and the message, which the caller announces."""
    message = {
        "id": new_id(MESSAGE_PREFIX, now),
        "contact_id": head["id"],
        "author": author,
        "text": text,
        "created_ms": now,
    }
    stored = {"pk": f"contact#{head['id']}", "sk": f"message#{sort_key(now, message['id'])}", "type": "message"}
    operations: list[Operation] = [
        ("message", {"Put": {"TableName": store.table(), "Item": items.to_item(stored | message)}})
    ]
    if posting is not None:
        operations.append(("posting", store.still_published(posting["id"], now)))
    return record(head, message, now, extra=operations), message


def announce(contact: dict[str, Any], message: dict[str, Any]) -> None:
    from eckospace.events import DomainEvent, publish, stable_event_id

    recipient = contact["owner"] if message["author"] == contact["asker"] else contact["asker"]
    publish(
        DomainEvent(
            "contact.message_created",
            {
                "contact_id": contact["id"],
                "message_id": message["id"],
                "author": message["author"],
                "recipient": recipient,
                "posting": {"object": contact["posting_object"], "id": contact["posting_id"]},
                "preview": message["text"][:PREVIEW],
            },
            subject=recipient,
            id=stable_event_id(f"contact.message_created:{message['id']}"),
        )
    )


# ------------------------------------------------------------------------------------ reading
def _load(contact: str) -> dict[str, Any] | None:
    if not CONTACT_ID.match(contact):
        return None
    found = aws.client("dynamodb").get_item(TableName=store.table(), Key=_key(contact), ConsistentRead=True)
    return stored(found["Item"]) if "Item" in found else None


def stored(item: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in items.from_item(item).items() if name not in _STORED_ONLY}


_STORED_ONLY = ("pk", "sk", "type", "owner_pk", "owner_sk", "browse_pk", "browse_sk")


def read(contact: str, viewer: str) -> dict[str, Any]:
    """The contact, to its asker or the posting's owner alone."""
    found = _load(contact)
    if found is None or viewer not in (found["asker"], found["owner"]):
        raise not_found(contact)
    return found


def relayed(contact: str, viewer: str) -> dict[str, Any]:
    found = read(contact, viewer)
    if found["channel"] == CHAT:
        raise UseTheConversation(
            "This contact's messages are in a chat conversation: read and answer them there.",
            conversation_id=found.get("conversation_id"),
        )
    return found


def write(contact: str, author: str, text: str) -> dict[str, Any]:
    """A message in a relayed contact. The asker's counts against their limits and needs the posting
    still published; the owner's answer does neither."""
    found = relayed(contact, author)
    now = now_ms()
    if author == found["owner"]:
        found, message = relay(found, author, text, now)
    else:
        kind = kind_of(found["posting_id"])
        posting = postings.read(found["posting_id"], kind, author)
        require_published(posting, kind)
        with counted(author, posting["id"], now / 1000):
            found, message = relay(found | {"posting_title": posting["title"]}, author, text, now, posting=posting)
    announce(found, message)
    return message
