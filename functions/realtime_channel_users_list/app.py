"""GET /apps/{app_id}/channels/{channel_name}/users: a presence channel's members."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.documented import problem
from eckospace.http.params import Path
from eckospace.http.realtime_routes import SIGNED, SIGNED_PROBLEMS, body, signed_request
from eckospace.http.resolver import entrypoint, json_response, make_resolver
from eckospace.realtime.publishing import users

app = make_resolver()


@app.get(
    "/apps/<app_id>/channels/<channel_name>/users",
    summary="A presence channel's members",
    description="Pusher's presence users query: signed with the app secret, no API key.",
    tags=["Realtime"],
    responses={
        200: body("ChannelUsers", "The members"),
        400: problem("`urn:eckospace:problem:invalid-request`: not a presence channel"),
        **SIGNED_PROBLEMS,
    },
    **SIGNED,
)
def list_users(app_id: Annotated[str, Path(max_length=64)], channel_name: Annotated[str, Path(max_length=164)]):
    signed_request(app, app_id)
    return json_response(users(channel_name))


lambda_handler = entrypoint(app)
