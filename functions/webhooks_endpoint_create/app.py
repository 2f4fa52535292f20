"""POST /api/webhooks/endpoints: register a webhook endpoint for the calling integration."""

from __future__ import annotations

from pydantic import BaseModel, Field

from eckospace.http.auth import current_principal, requires
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.webhooks.service import create_endpoint

app = make_resolver()


class EndpointCreate(BaseModel):
    url: str = Field(min_length=8, max_length=2048, description="An https URL on port 443 or 8443.")
    event_types: list[str] = Field(min_length=1, max_length=50, description="Event types from the catalogue.")
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
    responses={201: {"description": "The endpoint, with its signing `secret`"}, **PROBLEM_RESPONSES},
    **requires("webhooks:write", tokens=("client",)),
)
def create(request: EndpointCreate):
    principal = current_principal(app)
    created = create_endpoint(principal.client_id or principal.subject, principal.scopes, url=request.url,
                              event_types=request.event_types, description=request.description,
                              enabled=request.enabled)
    return json_response(created, status=201, headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
