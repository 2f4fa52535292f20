"""Asking the owner of a published listing or job about it (see `contact`): through the direct chat
conversation where the chat module is on, otherwise relayed. Apart from `contact` because only the
functions that ask reach the chat table."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from eckospace.errors import Conflict
from eckospace.ids import now_ms
from eckospace.marketplace import contact, postings
from eckospace.marketplace.kinds import Kind


def channel() -> str:
    """`chat` where the chat module is on (its table is named), otherwise `relay`."""
    from eckospace.chat import settings as chat

    return contact.CHAT if chat.TABLE() else contact.RELAY


def ask(kind: Kind, posting_id: str, asker: str, text: str, *, retry_key: str | None = None) -> dict[str, Any]:
    """`asker`'s message to the owner of a published posting (404 for one they cannot see, 409 for
    their own or one not published): the contact, with the message as its `last_message`.
    `retry_key` (the request's `Idempotency-Key`) names the chat message, so a retry of a request
    that failed after sending it sends nothing again and counts nothing again."""
    posting = postings.read(posting_id, kind, asker)
    owner = postings.owner_of(posting)
    if owner == asker:
        raise Conflict(f"This {kind.noun} is your own.")
    contact.require_published(posting, kind)
    now = now_ms()
    made = contact.new_contact(kind, posting, asker, owner, now, channel=channel())
    if made["channel"] == contact.RELAY:
        with contact.counted(asker, posting_id, now / 1000):
            made, message = contact.relay(made, asker, text, now, posting=posting)
        contact.announce(made, message)
        return made
    from eckospace.chat import conversations, messages

    with contact.counted(asker, posting_id, now / 1000) as give_back:
        conversation, _ = conversations.open_direct(asker, owner)
        sent, new = messages.send_message(
            conversation["id"],
            asker,
            client_message_id=_client_message_id(retry_key),
            text=text,
            about={"object": kind.noun, "id": posting_id},
        )
        if not new:
            give_back()  # counted when it was sent
    last = {"id": sent["id"], "author": asker, "text": sent["text"], "created_ms": now}
    return contact.record(made | {"conversation_id": conversation["id"]}, last, now)


def _client_message_id(retry_key: str | None) -> str:
    """Within the asker's conversation: the same for each retry of one request, new otherwise."""
    if retry_key is None:
        return f"contact:{uuid.uuid4().hex}"
    return "contact:" + hashlib.sha256(retry_key.encode()).hexdigest()[:48]
