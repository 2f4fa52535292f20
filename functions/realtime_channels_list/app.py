"""GET /apps/{app_id}/channels: the occupied channels, as Pusher's server libraries ask."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.documented import problem
from eckospace.http.params import Path, Query
from eckospace.http.realtime_routes import SIGNED, SIGNED_PROBLEMS, body, signed_request
from eckospace.http.resolver import entrypoint, json_response, make_resolver
from eckospace.realtime.publishing import channels

app = make_resolver()


@app.get(
    "/apps/<app_id>/channels",
    summary="List occupied channels",
    description="Pusher's channel list: signed with the app secret, no API key.",
    tags=["Realtime"],
    responses={
        200: body("ChannelList", "Occupied channels"),
        400: problem(
            "`urn:eckospace:problem:invalid-request`: an unknown `info` attribute, or `user_count` "
            "without `filter_by_prefix=presence-`"
        ),
        **SIGNED_PROBLEMS,
    },
    **SIGNED,
)
def list_channels(
    app_id: Annotated[str, Path(max_length=64)],
    filter_by_prefix: Annotated[str | None, Query(max_length=164)] = None,
    info: Annotated[str | None, Query(max_length=100, description="`user_count`, `subscription_count`")] = None,
):
    signed_request(app, app_id)
    return json_response(channels(filter_by_prefix, info))


lambda_handler = entrypoint(app)
