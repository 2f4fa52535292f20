"""GET /api/webhooks/endpoints: the calling integration's webhook endpoints, cursor paginated."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.params import Query
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.webhooks.service import list_endpoints

app = make_resolver()


@app.get(
    "/api/webhooks/endpoints",
    summary="Your webhook endpoints",
    description="Pass `next_cursor` back as `cursor` for the next page. Secrets are never listed.",
    tags=["Webhooks"],
    responses={
        200: {
            "description": "A page of endpoints",
            "content": {"application/json": {"model": "eckospace.webhooks.models:WebhookEndpointList"}},
        },
        **PROBLEM_RESPONSES,
    },
    **requires("webhooks:read", tokens=("client",)),
)
def list_all(
    limit: Annotated[int, Query(ge=1, le=100)] = 20, cursor: Annotated[str | None, Query(max_length=2048)] = None
):
    principal = current_principal(app)
    page = list_endpoints(principal.client_id or principal.subject, limit=limit, cursor=cursor)
    return json_response(page, headers={"Cache-Control": "private, no-store"})


lambda_handler = entrypoint(app)
