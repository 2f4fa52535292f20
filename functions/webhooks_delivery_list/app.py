"""GET /api/webhooks/endpoints/{endpoint_id}/deliveries: an endpoint's delivery log, newest first."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.params import Path, Query
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.webhooks.service import list_deliveries

app = make_resolver()
PROBLEM = PROBLEM_RESPONSES[400]["content"]


@app.get(
    "/api/webhooks/endpoints/<endpoint_id>/deliveries",
    summary="An endpoint's delivery log",
    description="Each delivery with every attempt (time, status code, latency, the start of the answer). "
    "Newest first; pass `next_cursor` back as `cursor`.",
    tags=["Webhooks"],
    responses={
        200: {
            "description": "A page of deliveries",
            "content": {"application/json": {"model": "eckospace.webhooks.models:WebhookDeliveryList"}},
        },
        404: {"description": "No such endpoint", "content": PROBLEM},
        **PROBLEM_RESPONSES,
    },
    **requires("webhooks:read", tokens=("client",)),
)
def list_log(
    endpoint_id: Annotated[str, Path(max_length=64, pattern="^[A-Za-z0-9_]+$")],
    status: Annotated[str | None, Query(pattern="^(pending|succeeded|failed)$")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
):
    principal = current_principal(app)
    page = list_deliveries(
        principal.client_id or principal.subject, endpoint_id, limit=limit, cursor=cursor, status=status
    )
    return json_response(page, headers={"Cache-Control": "private, no-store"})


lambda_handler = entrypoint(app)
