"""POST /apps/{app_id}/users/{user_id}/terminate_connections: close a user's connections, as
Pusher's server libraries ask."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.documented import problem
from eckospace.http.params import Path
from eckospace.http.realtime_routes import SIGNED, SIGNED_PROBLEMS, body, signed_request
from eckospace.http.resolver import entrypoint, json_response, make_resolver, with_request_body
from eckospace.realtime.connections import terminate_user

app = make_resolver()


@app.post(
    "/apps/<app_id>/users/<user_id>/terminate_connections",
    summary="Close a user's connections",
    description=(
        "Pusher's `terminate_connections`: closes every connection bound to the user by a private or presence "
        "subscription. Clients reconnect and must be authorized again for the user's channels, so revoke the "
        "user's tokens too to shut them out. Signed with the app secret, no API key."
    ),
    tags=["Realtime"],
    responses={
        200: body("EventsAccepted", "The user's connections are closing"),
        400: problem("`urn:eckospace:problem:invalid-request`: not a user id"),
        **SIGNED_PROBLEMS,
    },
    **with_request_body(SIGNED, {"application/json": {"schema": {"type": "object"}}}),
)
def terminate(app_id: Annotated[str, Path(max_length=64)], user_id: Annotated[str, Path(max_length=200)]):
    signed_request(app, app_id)
    terminate_user(user_id)
    return json_response({})


@app.post(
    "/users/<user_id>/terminate_connections",
    summary="Close a user's connections (the `pusher` Python library's path)",
    description=(
        "The same as `POST /apps/{app_id}/users/{user_id}/terminate_connections`, at the path the official "
        "`pusher` Python library (3.x) calls, without the app id: the signature's `auth_key` names the app."
    ),
    tags=["Realtime"],
    responses={
        200: body("EventsAccepted", "The user's connections are closing"),
        400: problem("`urn:eckospace:problem:invalid-request`: not a user id"),
        **SIGNED_PROBLEMS,
    },
    **with_request_body(SIGNED, {"application/json": {"schema": {"type": "object"}}}),
)
def terminate_without_app_id(user_id: Annotated[str, Path(max_length=200)]):
    signed_request(app, None)
    terminate_user(user_id)
    return json_response({})


lambda_handler = entrypoint(app)
