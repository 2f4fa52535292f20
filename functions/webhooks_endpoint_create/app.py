"""POST /api/webhooks/endpoints: register a webhook endpoint for the calling integration."""

from __future__ import annotations

from pydantic import BaseModel, Field

from eckospace.http.auth import current_principal, requires
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.webhooks.catalogue import document_subscribable_types
from eckospace.webhooks.service import create_endpoint

app = make_resolver()
PROBLEM = PROBLEM_RESPONSES[400]["content"]


class EndpointCreate(BaseModel):
    url: str = Field(min_length=8, max_length=2048, description="An https URL on port 443 or 8443.")
    event_types: list[str] = Field(
        min_length=1,
        max_length=50,
        description="Event types from the catalogue.",
        json_schema_extra=document_subscribable_types,
    )
    description: str = Field(default="", max_length=500)
    enabled: bool = True


@app.post(
    "/api/webhooks/endpoints",
    summary="Register a webhook endpoint",
    description=(
        "The URL must be https on port 443 or 8443 and resolve only to public addresses (422 otherwise). "
        "Each event type needs the scope the catalogue names (403 without it). The answer carries the "
        "signing `secret` (`whsec_...`): it is shown this once."
    ),
    tags=["Webhooks"],
    responses={
        201: {
            "description": "The endpoint, with its signing `secret`",
            "content": {"application/json": {"model": "eckospace.webhooks.models:NewWebhookEndpoint"}},
        },
        **PROBLEM_RESPONSES,
        403: {
            "description": "Missing API key, or the token lacks a required scope: `webhooks:write`, or "
            "the scope an event type needs (`required_scopes`); or an event type is for "
            "first-party integrations only (`first_party_only`)",
            "content": PROBLEM,
        },
        409: {"description": "The integration already has 20 endpoints", "content": PROBLEM},
        422: {
            "description": "The URL cannot receive webhooks, or an event type is unknown or cannot be "
            "subscribed to (`errors` names the field)",
            "content": PROBLEM,
        },
    },
    **requires("webhooks:write", tokens=("client",)),
)
def create(request: EndpointCreate):
    principal = current_principal(app)
    created = create_endpoint(
        principal.client_id or principal.subject,
        principal.scopes,
        url=request.url,
        event_types=request.event_types,
        description=request.description,
        enabled=request.enabled,
    )
    return json_response(created, status=201, headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
