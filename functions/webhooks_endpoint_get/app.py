"""GET /api/webhooks/endpoints/{endpoint_id}: one of the calling integration's endpoints."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.params import Path
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.webhooks.service import get_endpoint

app = make_resolver()
PROBLEM = PROBLEM_RESPONSES[400]["content"]


@app.get(
    "/api/webhooks/endpoints/<endpoint_id>",
    summary="A webhook endpoint",
    description="404 for an endpoint that is not yours. The signing secret is never shown again.",
    tags=["Webhooks"],
    responses={
        200: {
            "description": "The endpoint",
            "content": {"application/json": {"model": "eckospace.webhooks.models:WebhookEndpoint"}},
        },
        404: {"description": "No such endpoint", "content": PROBLEM},
        **PROBLEM_RESPONSES,
    },
    **requires("webhooks:read", tokens=("client",)),
)
def read(endpoint_id: Annotated[str, Path(max_length=64, pattern="^[A-Za-z0-9_]+$")]):
    principal = current_principal(app)
    return json_response(
        get_endpoint(principal.client_id or principal.subject, endpoint_id),
        headers={"Cache-Control": "private, no-store"},
    )


lambda_handler = entrypoint(app)
