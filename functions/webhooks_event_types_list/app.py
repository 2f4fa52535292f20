"""GET /api/webhooks/event-types: the events an endpoint can subscribe to, and the scope each needs."""

from __future__ import annotations

from eckospace.http.auth import requires
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.webhooks.catalogue import public_listing

app = make_resolver()


@app.get(
    "/api/webhooks/event-types",
    summary="The webhook event catalogue",
    description="Every event type, whether an endpoint can subscribe to it, and the scope the integration needs "
    "to. Payload schemas are in this document's `webhooks` section.",
    tags=["Webhooks"],
    responses={
        200: {
            "description": "Every event type, in one page",
            "content": {"application/json": {"model": "eckospace.webhooks.models:EventTypeList"}},
        },
        **PROBLEM_RESPONSES,
    },
    **requires("webhooks:read", tokens=("client",)),
)
def list_event_types():
    return json_response(
        {"data": public_listing(), "next_cursor": None}, headers={"Cache-Control": "private, max-age=300"}
    )


lambda_handler = entrypoint(app)
