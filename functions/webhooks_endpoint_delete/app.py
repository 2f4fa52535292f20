"""DELETE /api/webhooks/endpoints/{endpoint_id}: remove an endpoint and its signing secret."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response

from eckospace.http.auth import current_principal, requires
from eckospace.http.params import Path
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, make_resolver
from eckospace.webhooks.service import delete_endpoint

app = make_resolver()
PROBLEM = PROBLEM_RESPONSES[400]["content"]


@app.delete(
    "/api/webhooks/endpoints/<endpoint_id>",
    summary="Delete a webhook endpoint",
    description="Deliveries still pending for it are dropped.",
    tags=["Webhooks"],
    responses={
        204: {"description": "Deleted", "content": {}},
        404: {"description": "No such endpoint", "content": PROBLEM},
        409: {"description": "The endpoint changed meanwhile; retry (see Retry-After)", "content": PROBLEM},
        **PROBLEM_RESPONSES,
    },
    **requires("webhooks:write", tokens=("client",)),
)
def delete(endpoint_id: Annotated[str, Path(max_length=64, pattern="^[A-Za-z0-9_]+$")]):
    principal = current_principal(app)
    delete_endpoint(principal.client_id or principal.subject, endpoint_id)
    return Response(status_code=204, body="")


lambda_handler = entrypoint(app)
