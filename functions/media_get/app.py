"""GET /api/media/{media_id}: one of your media, its status and short-lived download URLs."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.params import Path
from eckospace.http.problems import PROBLEM_CONTENT_TYPE
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.media.service import owned_media

app = make_resolver()


@app.get(
    "/api/media/<media_id>",
    summary="One of your media",
    description="Status (`pending`, `ready` or `rejected`), metadata, and download URLs valid 5 minutes once ready. "
    "Media of other users are not found.",
    tags=["Media"],
    responses={
        200: {"description": "The media", "content": {"application/json": {"model": "eckospace.media.models:Media"}}},
        404: {
            "description": "Not yours, or no such media",
            "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        },
        **PROBLEM_RESPONSES,
    },
    **requires("media:read", tokens=("user",)),
)
def get_media(media_id: Annotated[str, Path(max_length=64)]):
    return json_response(
        owned_media(media_id, current_principal(app).subject), headers={"Cache-Control": "private, no-store"}
    )


lambda_handler = entrypoint(app)
