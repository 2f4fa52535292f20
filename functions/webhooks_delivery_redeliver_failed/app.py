"""POST /api/webhooks/endpoints/{endpoint_id}/redeliver-failed: send every failed delivery since a time again."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from eckospace.http.auth import current_principal, requires
from eckospace.http.params import Path
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.webhooks.service import redeliver_failed

app = make_resolver()
PROBLEM = PROBLEM_RESPONSES[400]["content"]


class Since(BaseModel):
    since: int = Field(
        ge=0, le=253402300799, description="Seconds since the epoch: failed deliveries of events from then on."
    )


@app.post(
    "/api/webhooks/endpoints/<endpoint_id>/redeliver-failed",
    summary="Redeliver every failed delivery since a time",
    description="At most 1000 deliveries per call. Deliveries of event types the integration may no longer "
    "receive stay failed: `not_entitled` counts them and names their event types.",
    tags=["Webhooks"],
    responses={
        202: {
            "description": "`redelivered`: how many were queued; `not_entitled`: `deliveries` left "
            "failed and their `event_types`",
            "content": {"application/json": {"model": "eckospace.webhooks.models:FailedRedelivery"}},
        },
        404: {"description": "No such endpoint", "content": PROBLEM},
        409: {"description": "The endpoint is disabled", "content": PROBLEM},
        **PROBLEM_RESPONSES,
    },
    **requires("webhooks:write", tokens=("client",)),
)
def again(endpoint_id: Annotated[str, Path(max_length=64, pattern="^[A-Za-z0-9_]+$")], request: Since):
    principal = current_principal(app)
    return json_response(
        redeliver_failed(principal.client_id or principal.subject, endpoint_id, request.since),
        status=202,
        headers={"Cache-Control": "no-store"},
    )


lambda_handler = entrypoint(app)
