"""GET /apps/{app_id}/channels/{channel_name}: whether a channel is occupied, and by how many."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.documented import problem
from eckospace.http.params import Path, Query
from eckospace.http.realtime_routes import SIGNED, SIGNED_PROBLEMS, body, signed_request
from eckospace.http.resolver import entrypoint, json_response, make_resolver
from eckospace.realtime.publishing import channel

app = make_resolver()


@app.get(
    "/apps/<app_id>/channels/<channel_name>",
    summary="A channel's state",
    description="Pusher's channel query: signed with the app secret, no API key.",
    tags=["Realtime"],
    responses={
        200: body("ChannelInfo", "The channel's state"),
        400: problem("`urn:eckospace:problem:invalid-request`: not a channel name, or an unknown `info` attribute"),
        **SIGNED_PROBLEMS,
    },
    **SIGNED,
)
def get_channel(
    app_id: Annotated[str, Path(max_length=64)],
    channel_name: Annotated[str, Path(max_length=164)],
    info: Annotated[str | None, Query(max_length=100, description="`user_count`, `subscription_count`")] = None,
):
    signed_request(app, app_id)
    return json_response(channel(channel_name, info))


lambda_handler = entrypoint(app)
