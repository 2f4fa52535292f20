"""POST /api/webhooks/endpoints/{endpoint_id}/rotate-secret: a new signing secret, shown once."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from eckospace.http.auth import current_principal, requires
from eckospace.http.params import Path
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.webhooks.service import rotate_secret

app = make_resolver()
PROBLEM = PROBLEM_RESPONSES[400]["content"]


class Rotation(BaseModel):
    overlap_seconds: int | None = Field(
        default=None, ge=0, le=604800, description="How long the old secret keeps signing too (default 24 h)."
    )


@app.post(
    "/api/webhooks/endpoints/<endpoint_id>/rotate-secret",
    summary="Rotate an endpoint's signing secret",
    description="Until `previous_secret_expires_at`, deliveries carry two signatures, one per secret, so a "
    "receiver can switch over at its own pace.",
    tags=["Webhooks"],
    responses={
        200: {
            "description": "The new `secret`, shown once",
            "content": {"application/json": {"model": "eckospace.webhooks.models:SecretRotation"}},
        },
        404: {"description": "No such endpoint", "content": PROBLEM},
        409: {"description": "The endpoint changed meanwhile; retry (see Retry-After)", "content": PROBLEM},
        **PROBLEM_RESPONSES,
    },
    **requires("webhooks:write", tokens=("client",)),
)
def rotate(endpoint_id: Annotated[str, Path(max_length=64, pattern="^[A-Za-z0-9_]+$")], request: Rotation):
    principal = current_principal(app)
    rotated = rotate_secret(principal.client_id or principal.subject, endpoint_id, overlap=request.overlap_seconds)
    return json_response(rotated, headers={"Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
