"""What the media routes answer, for the OpenAPI document.

Handlers return plain dicts (`eckospace.media.service.media_view`); these models only describe
them, and are imported when the document is generated, never on a cold start. Keys present only in
some states are not required, and never null when present.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema


def _not_always_present(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def sometimes(description: str) -> Any:
    """A key present in some answers only: not required, and never null when present."""
    return Field(default=None, description=description, json_schema_extra=_not_always_present)


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class MediaMetadata(Shape):
    """What the media worker learned from the bytes: an image's size, a PDF's page count; empty
    for other media and for documents uploaded directly."""

    width: int = sometimes("Images: width in pixels, as displayed (upright, as its EXIF orientation says)")
    height: int = sometimes("Images: height in pixels, as displayed")
    pages: int = sometimes("PDFs uploaded with a presigned upload: the page count")


class DownloadLink(Shape):
    url: str = Field(
        description="Where to fetch the file: for a public image, its CDN URL (served while the image is public); "
        "otherwise a presigned GET URL, under which the file downloads with its display name"
    )
    expires_at: datetime | None = Field(
        description="When a presigned URL stops working (five minutes after this answer); null for a CDN URL"
    )


class Media(Shape):
    id: str = Field(description="`med_` and 24 hexadecimal digits")
    kind: Literal["document", "image", "video"]
    status: Literal["pending", "ready", "rejected"] = Field(
        description="`pending` until the media worker has checked a presigned upload's bytes; direct "
        "document uploads are `ready` at once"
    )
    media_type: str = Field(description="The media type, as read from the bytes (or declared, while pending)")
    size: int = Field(
        description="Bytes. For a ready image, the bytes stored: the upload without its identifying metadata"
    )
    sha256: str | None = Field(
        description="The stored bytes' SHA-256 (hexadecimal); null until they were checked. An image is stored "
        "without the metadata that reveals people (EXIF GPS position, names, device serials, XMP, IPTC, "
        "comments), pixels untouched; the uploaded original is not kept"
    )
    display_name: str = Field(description="The uploaded file's name, cleaned; only ever a display name")
    created_at: datetime
    metadata: MediaMetadata
    download: DownloadLink = sometimes("Once `ready`: the file (for an image, as stored: without identifying metadata)")
    thumbnail: DownloadLink = sometimes("Once `ready`, for images: a JPEG at most 320 pixels on its longer side")
    preview: DownloadLink = sometimes("Once `ready`, for images: a JPEG at most 1280 pixels on its longer side")
    rejection: str = sometimes("Once `rejected`: why")


class Attachment(Shape):
    """Media attached to something you may read (a post): what it is and where to fetch it, in the
    same answer. Readable as long as what it is attached to is."""

    id: str = Field(description="The media id (`med_...`); `GET /api/media/{media_id}` reads it too")
    object: Literal["media"]
    kind: Literal["document", "image", "video"]
    media_type: str
    size: int = Field(description="Bytes, as stored (an image without its identifying metadata)")
    display_name: str
    metadata: MediaMetadata
    download: DownloadLink
    thumbnail: DownloadLink = sometimes("Images: a JPEG at most 320 pixels on its longer side")
    preview: DownloadLink = sometimes("Images: a JPEG at most 1280 pixels on its longer side")


class PresignedUploadFields(Shape):
    """The form fields of the presigned POST, to send as they are, before the file. The storage
    refuses a form with any other field or a changed value."""

    content_type: str = Field(alias="Content-Type", description="The content type the upload is bound to")
    key: str = Field(description="The object key the upload is bound to")
    policy: str = Field(description="The signed storage policy (base64)")
    x_amz_algorithm: Literal["AWS4-HMAC-SHA256"] = Field(alias="x-amz-algorithm")
    x_amz_credential: str = Field(alias="x-amz-credential")
    x_amz_date: str = Field(alias="x-amz-date")
    x_amz_signature: str = Field(alias="x-amz-signature")
    x_amz_security_token: str | SkipJsonSchema[None] = Field(
        default=None,
        alias="x-amz-security-token",
        json_schema_extra=_not_always_present,
        description="Present when the API signs with temporary credentials (always, on AWS Lambda)",
    )


class PresignedUpload(Shape):
    method: Literal["POST"]
    url: str = Field(description="Where to send the form (`multipart/form-data`)")
    fields: PresignedUploadFields
    file_field: Literal["file"] = Field(description="The form field for the file, sent after all of `fields`")
    expires_at: datetime = Field(description="Fifteen minutes after this answer")


class MediaUpload(Media):
    upload: PresignedUpload = Field(description="The form that uploads the file, once, straight to the storage")
