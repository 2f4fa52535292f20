"""Channel authorization (`POST /broadcasting/auth`): what Laravel Echo and pusher-js ask for
before subscribing to a private or presence channel, answered for a signed-in person who may join
it (`eckospace.realtime.channels.may_join`) and refused (403) otherwise."""

from __future__ import annotations

import json

from eckospace.errors import InvalidInput, NotPermitted
from eckospace.realtime.channels import Channel, InvalidChannel, Kind, may_join
from eckospace.realtime.protocol import SOCKET_ID
from eckospace.realtime.signatures import channel_auth


def authorize_channel(user_id: str, socket_id: str, channel_name: str) -> dict[str, str]:
    """`{"auth"}`, and for a presence channel `channel_data` (the member's `user_id`, a string, and
    `user_info`), exactly what the client sends back when it subscribes."""
    if not SOCKET_ID.match(socket_id):
        raise InvalidInput("socket_id must look like 123.456", errors=[{"in": "body", "name": "socket_id"}])
    try:
        channel = Channel.parse(channel_name)
    except InvalidChannel as error:
        raise InvalidInput(str(error), errors=[{"in": "body", "name": "channel_name"}]) from None
    if not channel.authorized:
        raise InvalidInput("Public channels need no authorization", errors=[{"in": "body", "name": "channel_name"}])
    if not may_join(channel, user_id):
        raise NotPermitted(f"You may not join {channel_name}.")
    if channel.kind is Kind.PRESENCE:
        channel_data = json.dumps({"user_id": user_id, "user_info": {"id": user_id}}, separators=(",", ":"))
        return {"auth": channel_auth(socket_id, channel_name, channel_data), "channel_data": channel_data}
    return {"auth": channel_auth(socket_id, channel_name)}
