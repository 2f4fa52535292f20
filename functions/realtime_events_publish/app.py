"""POST /apps/{app_id}/events: publish an event, as Pusher's server libraries do."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.documented import problem
from eckospace.http.params import Path
from eckospace.http.realtime_routes import SIGNED, SIGNED_PROBLEMS, body, signed_request
from eckospace.http.resolver import entrypoint, json_response, make_resolver, with_request_body
from eckospace.realtime.publishing import publish_event

app = make_resolver()

EVENT = {
    "type": "object",
    "required": ["name", "data"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "data": {"type": "string", "description": "At most 10 KB"},
        "channels": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 100},
        "channel": {"type": "string", "description": "One channel, instead of `channels`"},
        "socket_id": {"type": "string", "description": "A connection not to send it to"},
    },
}


@app.post(
    "/apps/<app_id>/events",
    summary="Publish an event",
    description=(
        "Pusher's `POST /apps/{app_id}/events`, for server libraries (Laravel's Pusher broadcaster, `pusher` for "
        "Python): signed with the app secret, no API key. The event goes to every connection subscribed to each "
        "channel (at most 100), except `socket_id`'s. `{}` once it is queued for delivery."
    ),
    tags=["Realtime"],
    responses={
        200: body("EventsAccepted", "Queued for delivery to every channel"),
        400: problem("`urn:eckospace:problem:invalid-request`: not an events request. Nothing is published"),
        413: problem("`urn:eckospace:problem:payload-too-large`: data over 10 KB. Nothing is published"),
        **SIGNED_PROBLEMS,
    },
    **with_request_body(SIGNED, {"application/json": {"schema": EVENT}}),
)
def publish(app_id: Annotated[str, Path(max_length=64)]):
    publish_event(signed_request(app, app_id))
    return json_response({})


lambda_handler = entrypoint(app)
