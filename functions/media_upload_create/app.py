"""POST /api/media/uploads: a presigned upload for an image, a video or a large document."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from eckospace.http.auth import current_principal, requires
from eckospace.http.problems import PROBLEM_CONTENT_TYPE
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver
from eckospace.media.service import PRESIGNED_TYPES, start_upload

app = make_resolver()

UploadType = Literal[tuple(PRESIGNED_TYPES)]  # type: ignore[valid-type]
_PROBLEM = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def _size_limits(schema: dict[str, Any]) -> None:
    """Each kind of media has its own size limit (400 beyond it): one branch per kind."""
    kinds: dict[tuple[str, int], list[str]] = {}
    for media_type, (kind, max_bytes) in PRESIGNED_TYPES.items():
        kinds.setdefault((kind, max_bytes), []).append(media_type)
    schema["oneOf"] = [
        {
            "title": f"{kind.capitalize()}s",
            "properties": {"content_type": {"enum": types}, "size": {"maximum": max_bytes}},
        }
        for (kind, max_bytes), types in kinds.items()
    ]


class UploadRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra=_size_limits)

    content_type: UploadType = Field(description="The media type the file will be uploaded with")
    size: int = Field(ge=1, description="The file's exact size in bytes; the storage policy holds the upload to it")
    filename: str | None = Field(default=None, max_length=1024, description="Kept only as the display name")


@app.post(
    "/api/media/uploads",
    summary="Start a media upload",
    description=(
        "Returns a presigned S3 POST (`upload.url` and `upload.fields`; send the file last, in the `file` field) "
        "bound to one key, the content type and the exact size, valid 15 minutes. The media is `pending` until "
        "the media worker has checked its bytes, then `ready` (with metadata and, for images, a thumbnail) or "
        "`rejected`. Poll `GET /api/media/{media_id}`."
    ),
    tags=["Media"],
    responses={
        201: {
            "description": "The pending media and its upload form",
            "headers": {"Location": {"description": "The media's path", "schema": {"type": "string"}}},
            "content": {"application/json": {"model": "eckospace.media.models:MediaUpload"}},
        },
        **PROBLEM_RESPONSES,
        429: {
            "description": "Your daily upload allowance is used up until midnight UTC, or the API key's rate limit "
            "or quota is exceeded; see `Retry-After`",
            "content": _PROBLEM,
        },
    },
    **requires("media:write", tokens=("user",)),
)
def create_upload(request: UploadRequest):
    media = start_upload(
        current_principal(app).subject, media_type=request.content_type, size=request.size, filename=request.filename
    )
    return json_response(
        media, status=201, headers={"Location": f"/api/media/{media['id']}", "Cache-Control": "no-store"}
    )


lambda_handler = entrypoint(app)
