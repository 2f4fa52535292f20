"""GET /api/media/{media_id}: one media item, for its owner or a reader of what it is attached to."""

from __future__ import annotations

from typing import Annotated

from eckospace.http.auth import current_principal, requires
from eckospace.http.params import Path
from eckospace.http.problems import PROBLEM_CONTENT_TYPE
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.media.service import readable_media

app = make_resolver()


@app.get(
    "/api/media/<media_id>",
    summary="One media item",
    description="Your own media: status (`pending`, `ready` or `rejected`), metadata and, once ready, where to "
    "fetch it. Another user's media is readable while it is attached to something you may read (a published "
    "post), and not found otherwise, whether or not it exists. Public images are fetched from the CDN (URLs "
    "without expiry, served while the image is public); everything else from presigned URLs valid 5 minutes.",
    tags=["Media"],
    responses={
        200: {"description": "The media", "content": {"application/json": {"model": "eckospace.media.models:Media"}}},
        404: {
            "description": "No such media, or none you may read",
            "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        },
        **PROBLEM_RESPONSES,
    },
    **requires("media:read", tokens=("user",)),
)
def get_media(media_id: Annotated[str, Path(max_length=64)]):
    return json_response(
        readable_media(media_id, current_principal(app).subject), headers={"Cache-Control": "private, no-store"}
    )


lambda_handler = entrypoint(app)
