"""What the chat routes share: listing parameters, the socket id header, and pieces of their
OpenAPI `responses` (success bodies name `eckospace.chat.models` lazily)."""

from __future__ import annotations

import re
from typing import Any

from eckospace.http import documented
from eckospace.http.params import Header, Path, Query

MODELS = "eckospace.chat.models"
_SOCKET_ID = re.compile(r"^\d{1,20}\.\d{1,20}$")

LIMIT = Query(pattern=r"^(100|[1-9][0-9]?)$", description="Page size, 1 to 100 (default 20)")
CURSOR = Query(max_length=2048, description="The previous page's `next_cursor`")
USER_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
# A group's title: no control characters, not blank (what a schema can say; the service trims nothing).
TITLE_PATTERN = r"^[^\x00-\x1F\x7F]*[^\x00-\x1F\x7F\s][^\x00-\x1F\x7F]*$"
USER = Path(pattern=USER_PATTERN, description="A user's id")
CONVERSATION = Path(max_length=64, description="The conversation's id")
# Laravel's `toOthers()`: the connection that made the change does not hear its own broadcast.
SOCKET_ID = Header(
    alias="X-Socket-Id",
    max_length=64,
    description="Your realtime connection's socket id (`123.456`): its broadcast of this change is not sent back "
    "to it. Anything else is ignored",
)
MESSAGE = Path(max_length=64, description="The message's id")
NOT_A_MEMBER = documented.problem("No such conversation that you are a member of")


def socket(socket_id: str | None) -> str | None:
    """The `X-Socket-Id` to leave out of a broadcast, if it is one."""
    return socket_id if socket_id and _SOCKET_ID.match(socket_id) else None


def body(model: str, description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    return documented.body(f"{MODELS}:{model}", description, headers)


empty, problem = documented.empty, documented.problem
