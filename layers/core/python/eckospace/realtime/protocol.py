"""The Pusher Channels wire protocol, version 7: what a frame looks like, both ways.

Server to client, `data` is a JSON document encoded as a string (pusher-js decodes it again);
client to server it is an object. Refusals that belong to a channel are
`pusher:subscription_error` on that channel (Laravel Echo's `.error()` hears them); the others are
`pusher:error` with the protocol's code. After the handshake a code only informs the client: API
Gateway cannot close a connection with a code of our choosing.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

PROTOCOL_VERSIONS = range(5, 8)  # what pusher-js 4 to 8 speak
CHANNEL_NAME_MAX = 164
CHANNEL_NAME = re.compile(rf"\A[-a-zA-Z0-9_=@,.;]{{1,{CHANNEL_NAME_MAX}}}\Z")  # Pusher's alphabet and length
EVENT_NAME_MAX = 200
CLIENT_EVENT_PREFIX = "client-"

# Error codes (https://pusher.com/docs/channels/library_auth_reference/pusher-websockets-protocol)
APP_UNKNOWN = 4001
UNSUPPORTED_PROTOCOL = 4007
UNAUTHORIZED = 4009
OVER_CAPACITY = 4100
CLIENT_EVENT_RATE_LIMIT = 4301


class ProtocolError(Exception):
    """A message the protocol refuses: answered with `pusher:error` and changing nothing."""

    def __init__(self, code: int | None, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def frame(self) -> str:
        return json.dumps({"event": "pusher:error", "data": {"code": self.code, "message": self.message}})


class SubscriptionRefused(Exception):
    """A subscription that may not happen: `pusher:subscription_error` on its channel."""

    def __init__(self, channel: str, status: int, message: str, kind: str = "AuthError") -> None:
        super().__init__(message)
        self.channel, self.status, self.message, self.kind = channel, status, message, kind

    def frame(self) -> str:
        return frame(
            "pusher:subscription_error",
            {"type": self.kind, "error": self.message, "status": self.status},
            channel=self.channel,
        )


def frame(event: str, data: Any, *, channel: str | None = None, user_id: str | None = None) -> str:
    """A server-to-client frame; `data` goes out as a string, JSON-encoding it unless it is one."""
    message: dict[str, Any] = {"event": event}
    if channel is not None:
        message["channel"] = channel
    message["data"] = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    if user_id is not None:
        message["user_id"] = user_id
    return json.dumps(message, separators=(",", ":"))


def connection_established(socket_id: str, activity_timeout: int) -> str:
    return frame("pusher:connection_established", {"socket_id": socket_id, "activity_timeout": activity_timeout})


PONG = json.dumps({"event": "pusher:pong", "data": {}})


def new_socket_id() -> str:
    """`\\d+.\\d+`, as Pusher's server libraries check it."""
    return f"{secrets.randbelow(10**9)}.{secrets.randbelow(10**9)}"


SOCKET_ID = re.compile(r"\A\d+\.\d+\Z")


@dataclass(frozen=True)
class Message:
    """A client-to-server frame."""

    event: str
    data: dict[str, Any]
    channel: str | None
    payload: Any  # `data` as sent: what a client event passes on

    @classmethod
    def parse(cls, text: str | None) -> Message:
        try:
            document = json.loads(text or "")
        except ValueError:
            raise ProtocolError(None, "Messages must be JSON objects with an event") from None
        if not isinstance(document, dict) or not isinstance(document.get("event"), str) or not document["event"]:
            raise ProtocolError(None, "Messages must be JSON objects with an event")
        payload = document.get("data", {})
        data = payload
        if isinstance(data, str):  # some clients encode it as the server does
            try:
                data = json.loads(data) if data else {}
            except ValueError:
                data = {}
        channel = document.get("channel")
        if channel is not None and not isinstance(channel, str):
            raise ProtocolError(None, "channel must be a string")
        return cls(document["event"], data if isinstance(data, dict) else {}, channel, payload)

    def text(self, name: str) -> str:
        """A string member of `data` the event needs (an empty string when absent)."""
        value = self.data.get(name, "")
        if not isinstance(value, str):
            raise ProtocolError(None, f"{self.event}: data.{name} must be a string")
        return value
