"""POST /apps/{app_id}/batch_events: publish up to ten events at once, as Pusher's server libraries do."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.documented import problem
from eckospace.http.params import Path
from eckospace.http.realtime_routes import SIGNED, SIGNED_PROBLEMS, body, signed_request
from eckospace.http.resolver import entrypoint, json_response, make_resolver, with_request_body
from eckospace.realtime.publishing import publish_batch

app = make_resolver()

BATCH = {
    "type": "object",
    "required": ["batch"],
    "properties": {
        "batch": {
            "type": "array",
            "minItems": 1,
            "maxItems": 10,
            "items": {
                "type": "object",
                "required": ["name", "data", "channel"],
                "properties": {
                    "name": {"type": "string", "minLength": 1, "maxLength": 200},
                    "data": {"type": "string", "description": "At most 10 KB"},
                    "channel": {"type": "string"},
                    "socket_id": {"type": "string"},
                },
            },
        }
    },
}


@app.post(
    "/apps/<app_id>/batch_events",
    summary="Publish a batch of events",
    description=(
        "Pusher's `POST /apps/{app_id}/batch_events`: up to 10 events, each to one channel, all or none. Signed "
        "with the app secret, no API key."
    ),
    tags=["Realtime"],
    responses={
        200: body("EventsAccepted", "Every event queued for delivery"),
        400: problem("`urn:eckospace:problem:invalid-request`: not a batch request. Nothing is published"),
        413: problem("`urn:eckospace:problem:payload-too-large`: an event's data is over 10 KB. Nothing is published"),
        **SIGNED_PROBLEMS,
    },
    **with_request_body(SIGNED, {"application/json": {"schema": BATCH}}),
)
def publish(app_id: Annotated[str, Path(max_length=64)]):
    publish_batch(signed_request(app, app_id))
    return json_response({})


lambda_handler = entrypoint(app)
