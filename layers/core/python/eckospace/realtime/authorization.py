"""Channel authorization (`POST /broadcasting/auth`): what Laravel Echo and pusher-js ask for
before subscribing to a private or presence channel, answered for a signed-in person who may join
it (`eckospace.realtime.channels.may_join`) and refused (403) otherwise."""

from __future__ import annotations

import json
import re

from eckospace.errors import InvalidInput, NotPermitted
from eckospace.realtime.channels import AUTHORIZED_CHANNEL_PATTERN, Channel, InvalidChannel, Kind, may_join
from eckospace.realtime.protocol import CHANNEL_NAME_MAX, SOCKET_ID
from eckospace.realtime.signatures import channel_auth


def authorize_channel(user_id: str, socket_id: str, channel_name: str) -> dict[str, str]:
    """`{"auth", "channel_data"}`, exactly what the client sends back when it subscribes:
    `channel_data` is the member's `user_id` (a string), with `user_info` for a presence channel.
    A private channel's names its user too (pusher-js sends it back as it sends a presence one's),
    so the server knows whose connection it is and can take someone who left a conversation out
    of its channel."""
    if not SOCKET_ID.match(socket_id):
        raise InvalidInput("socket_id must look like 123.456", errors=[{"in": "body", "name": "socket_id"}])
    if len(channel_name) > CHANNEL_NAME_MAX or not re.match(AUTHORIZED_CHANNEL_PATTERN, channel_name):
        raise InvalidInput(
            "channel_name must be a private- or presence- channel name (public channels need no authorization)",
            errors=[{"in": "body", "name": "channel_name"}],
        )
    try:
        channel = Channel.parse(channel_name)
    except InvalidChannel:  # a kind of channel this server does not offer (encrypted ones)
        raise NotPermitted(f"You may not join {channel_name}.") from None
    if not may_join(channel, user_id):
        raise NotPermitted(f"You may not join {channel_name}.")
    member = {"user_id": user_id, **({"user_info": {"id": user_id}} if channel.kind is Kind.PRESENCE else {})}
    channel_data = json.dumps(member, separators=(",", ":"))
    return {"auth": channel_auth(socket_id, channel_name, channel_data), "channel_data": channel_data}
