"""PATCH /api/webhooks/endpoints/{endpoint_id}: change an endpoint's URL, events, description or state."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from eckospace.http.auth import current_principal, requires
from eckospace.http.params import Path
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.webhooks.catalogue import document_subscribable_types
from eckospace.webhooks.service import update_endpoint

app = make_resolver()
PROBLEM = PROBLEM_RESPONSES[400]["content"]


class EndpointUpdate(BaseModel):
    url: str | None = Field(default=None, min_length=8, max_length=2048)
    event_types: list[str] | None = Field(
        default=None, min_length=1, max_length=50, json_schema_extra=document_subscribable_types
    )
    description: str | None = Field(default=None, max_length=500)
    enabled: bool | None = None


@app.patch(
    "/api/webhooks/endpoints/<endpoint_id>",
    summary="Change a webhook endpoint",
    description="Send only what changes. Enabling a disabled endpoint starts it afresh. A new URL, new event "
    "types or enabling the endpoint checks its event types again as creation does (403 when the "
    "token lacks an event's scope or the event is for first-party integrations only).",
    tags=["Webhooks"],
    responses={
        200: {
            "description": "The endpoint",
            "content": {"application/json": {"model": "eckospace.webhooks.models:WebhookEndpoint"}},
        },
        404: {"description": "No such endpoint", "content": PROBLEM},
        **PROBLEM_RESPONSES,
        403: {
            "description": "Missing API key, or the token lacks a required scope: `webhooks:write`, or "
            "the scope one of the endpoint's event types needs (`required_scopes`); or an "
            "event type is for first-party integrations only (`first_party_only`)",
            "content": PROBLEM,
        },
        409: {"description": "The endpoint changed meanwhile; retry (see Retry-After)", "content": PROBLEM},
        422: {
            "description": "The URL cannot receive webhooks, or an event type is unknown or cannot be "
            "subscribed to (`errors` names the field)",
            "content": PROBLEM,
        },
    },
    **requires("webhooks:write", tokens=("client",)),
)
def update(endpoint_id: Annotated[str, Path(max_length=64, pattern="^[A-Za-z0-9_]+$")], request: EndpointUpdate):
    principal = current_principal(app)
    changes = request.model_dump(exclude_none=True)
    return json_response(
        update_endpoint(principal.client_id or principal.subject, principal.scopes, endpoint_id, changes),
        headers={"Cache-Control": "no-store"},
    )


lambda_handler = entrypoint(app)
