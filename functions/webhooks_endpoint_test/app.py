"""POST /api/webhooks/endpoints/{endpoint_id}/test: deliver a `webhook.test` event to the endpoint."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.params import Path
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.webhooks.service import send_test

app = make_resolver()
PROBLEM = PROBLEM_RESPONSES[400]["content"]


@app.post(
    "/api/webhooks/endpoints/<endpoint_id>/test",
    summary="Send a test event",
    description="Queues a signed `webhook.test` delivery to this endpoint; follow it in the delivery log.",
    tags=["Webhooks"],
    responses={
        202: {
            "description": "The queued delivery",
            "content": {"application/json": {"model": "eckospace.webhooks.models:QueuedTestDelivery"}},
        },
        404: {"description": "No such endpoint", "content": PROBLEM},
        409: {"description": "The endpoint is disabled", "content": PROBLEM},
        **PROBLEM_RESPONSES,
    },
    **requires("webhooks:write", tokens=("client",)),
)
def test(endpoint_id: Annotated[str, Path(max_length=64, pattern="^[A-Za-z0-9_]+$")]):
    principal = current_principal(app)
    return json_response(
        send_test(principal.client_id or principal.subject, endpoint_id),
        status=202,
        headers={"Cache-Control": "no-store"},
    )


lambda_handler = entrypoint(app)
