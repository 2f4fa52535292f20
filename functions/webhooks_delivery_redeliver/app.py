"""POST /api/webhooks/endpoints/{endpoint_id}/deliveries/{delivery_id}/redeliver: send one delivery again."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.params import Path
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.webhooks.service import redeliver

app = make_resolver()
PROBLEM = PROBLEM_RESPONSES[400]["content"]


@app.post(
    "/api/webhooks/endpoints/<endpoint_id>/deliveries/<delivery_id>/redeliver",
    summary="Redeliver one delivery",
    description="Queues the delivery again with a fresh retry schedule (409 while it is still being attempted; 403 "
    "naming its event type when the integration may no longer receive it).",
    tags=["Webhooks"],
    responses={
        202: {
            "description": "Queued",
            "content": {"application/json": {"model": "eckospace.webhooks.models:Redelivery"}},
        },
        404: {"description": "No such endpoint or delivery", "content": PROBLEM},
        409: {
            "description": "Still being attempted (see Retry-After), or the endpoint is disabled",
            "content": PROBLEM,
        },
        **PROBLEM_RESPONSES,
        403: {
            **PROBLEM_RESPONSES[403],
            "description": "Missing API key, the token lacks a required scope, or "
            "the integration may no longer receive this delivery's event type (`not_entitled`)",
        },
    },
    **requires("webhooks:write", tokens=("client",)),
)
def again(
    endpoint_id: Annotated[str, Path(max_length=64, pattern="^[A-Za-z0-9_]+$")],
    delivery_id: Annotated[str, Path(max_length=64, pattern="^[A-Za-z0-9_]+$")],
):
    principal = current_principal(app)
    return json_response(
        redeliver(principal.client_id or principal.subject, endpoint_id, delivery_id),
        status=202,
        headers={"Cache-Control": "no-store"},
    )


lambda_handler = entrypoint(app)
