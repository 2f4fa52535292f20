"""The chat table (`ECKO_CHAT_TABLE`): its items and keys.

Items (pk / sk):
- `conv#<id>` / `conversation`: a conversation's head: `type`, `title`, `members` (a direct
  conversation's two), `member_count` (a group's), `last_seq` (the newest message's), `activity_ms`, `last_message`.
- `conv#<id>` / `member#<user>`: a membership: `role`, `last_read_seq`, and the member's inbox copy
  of the head (`last_seq`, `last_message`, kept by the inbox function from the table's stream), on
  the `Inbox` index as `inbox_pk=inbox#<user>`, `inbox_sk=<activity_ms>#<id>`.
- `conv#<id>` / `msg#<seq>`: a message (seq zero-padded, so the partition sorts by it).
- `conv#<id>` / `client#<user>#<client_message_id>`: which message a send made (retries find it).
- `unread#<user>` / `total`: the user's unread messages over every conversation, on `Inbox` as
  `inbox_sk=~` (after every conversation's, so newest-first it comes first).
- `blocks#<user>` / `<blocked user>`: a block.
- `rate#<user>#<minute>` / `rate`: messages sent in that minute (expires).
"""

from __future__ import annotations

import re
import time
from typing import Any

from eckospace.chat import settings

# The chat modules' item codec, re-exported.
from eckospace.items import attribute as attribute
from eckospace.items import from_item as from_item
from eckospace.items import to_item as to_item

INBOX = "Inbox"
DIRECT, GROUP = "direct", "group"
OWNER, ADMIN, MEMBER = "owner", "admin", "member"
TOTAL_SORT_KEY = "~"  # sorts after every `<activity_ms>#<id>`

USER_ID = r"[A-Za-z0-9_-]{1,64}"
CONVERSATION_ID = re.compile(r"^(dm_[0-9a-f]{32}|grp_[0-9a-f]{26})$")
MESSAGE_ID = re.compile(r"^msg_([1-9][0-9]{0,11})$")


def table() -> str:
    return settings.TABLE()


def now_ms() -> int:
    return int(time.time() * 1000)


def message_id(seq: int) -> str:
    """Messages are numbered in their conversation: the id says where it stands."""
    return f"msg_{seq}"


def seq_of(message: str) -> int | None:
    found = MESSAGE_ID.match(message)
    return int(found[1]) if found else None


# ------------------------------------------------------------------------------------ keys
def key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def head_key(conversation: str) -> dict[str, Any]:
    return key(f"conv#{conversation}", "conversation")


def member_key(conversation: str, user: str) -> dict[str, Any]:
    return key(f"conv#{conversation}", f"member#{user}")


def message_key(conversation: str, seq: int) -> dict[str, Any]:
    return key(f"conv#{conversation}", f"msg#{seq:012d}")


def client_key(conversation: str, user: str, client_message_id: str) -> dict[str, Any]:
    return key(f"conv#{conversation}", f"client#{user}#{client_message_id}")


def total_key(user: str) -> dict[str, Any]:
    return key(f"unread#{user}", "total")


def block_key(blocker: str, blocked: str) -> dict[str, Any]:
    return key(f"blocks#{blocker}", blocked)


def rate_key(user: str, minute: int) -> dict[str, Any]:
    return key(f"rate#{user}#{minute}", "rate")


def inbox_sort_key(activity_ms: int, conversation: str) -> str:
    return f"{activity_ms:013d}#{conversation}"


def unread(member: dict[str, Any]) -> int:
    """What a member has not read yet, by their inbox copy of the head."""
    return max(0, int(member.get("last_seq", 0)) - int(member.get("last_read_seq", 0)))


def total_update(user: str, delta: int) -> dict[str, Any]:
    """The Update (for a transaction) that moves a user's unread total by `delta`; the item is on
    the Inbox index so the inbox's first page reads it with the conversations."""
    return {
        "Update": {
            "TableName": table(),
            "Key": total_key(user),
            "UpdateExpression": "ADD unread :d SET inbox_pk = :p, inbox_sk = :s",
            "ExpressionAttributeValues": {
                ":d": {"N": str(delta)},
                ":p": {"S": f"inbox#{user}"},
                ":s": {"S": TOTAL_SORT_KEY},
            },
        }
    }
