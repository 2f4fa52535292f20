"""Channels: their kinds, and who may join which. Declared here, in one place.

- Public channels (any other valid name) need no authorization: anyone connected may listen. Only
  the server publishes to them (the events API), so they carry only what anyone may see.
- `private-` channels need a channel authorization from `POST /broadcasting/auth`, which signs
  only for a member.
- `presence-` channels also say who is there: the authorization carries the member's `user_id`.

Who may join: `private-users.{id}` only that user (what is meant for one person: notifications,
wallet updates); `presence-hashtags.{tag}` any signed-in person (who is following a hashtag now);
`private-conversations.{id}` and `presence-conversations.{id}` the conversation's members (who is
in the conversation now; typing whispers), looked up in the chat table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from eckospace.realtime.protocol import CHANNEL_NAME

# What `POST /broadcasting/auth` takes: a private or presence channel's name, in Pusher's alphabet.
AUTHORIZED_CHANNEL_PATTERN = r"^(private|presence)-[-a-zA-Z0-9_=@,.;]+$"


class Kind(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"
    PRESENCE = "presence"


class InvalidChannel(ValueError):
    """Not a channel name this server serves."""


@dataclass(frozen=True)
class Channel:
    name: str
    kind: Kind

    @classmethod
    def parse(cls, name: object) -> Channel:
        if not isinstance(name, str) or not CHANNEL_NAME.match(name):
            raise InvalidChannel(f"Invalid channel name: {str(name)[:200]!r}")
        if name.startswith("private-encrypted-"):
            raise InvalidChannel("End-to-end encrypted channels are not offered")
        if name.startswith("#"):
            raise InvalidChannel("Server-to-user channels are not offered")
        if name.startswith("presence-"):
            return cls(name, Kind.PRESENCE)
        if name.startswith("private-"):
            return cls(name, Kind.PRIVATE)
        return cls(name, Kind.PUBLIC)

    @property
    def authorized(self) -> bool:
        """Joining needs a signature from the authorization endpoint."""
        return self.kind is not Kind.PUBLIC

    @property
    def takes_client_events(self) -> bool:
        return self.kind is not Kind.PUBLIC

    def user(self) -> str | None:
        """The one person a `private-users.{id}` channel belongs to."""
        match = _USER_CHANNEL.match(self.name)
        return match["user"] if match else None


_USER_CHANNEL = re.compile(r"\Aprivate-users\.(?P<user>[^.]+)\Z")


def _conversation_member(match: re.Match[str], user: str) -> bool:
    from eckospace.chat.membership import is_member

    return is_member(match["conversation"], user)


# channel name pattern -> may this user join it?
_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str], str], bool]]] = [
    (_USER_CHANNEL, lambda match, user: match["user"] == user),
    (re.compile(r"\Apresence-hashtags\.[a-z0-9_]{1,100}\Z"), lambda _match, _user: True),
    (re.compile(r"\A(private|presence)-conversations\.(?P<conversation>[a-z0-9_]{1,64})\Z"), _conversation_member),
]


def may_join(channel: Channel, user_id: str) -> bool:
    """Whether a signed-in person may be authorized for a private or presence channel: only where a
    rule says so (a channel no rule names is closed)."""
    for pattern, allowed in _RULES:
        match = pattern.match(channel.name)
        if match:
            return allowed(match, user_id)
    return False
