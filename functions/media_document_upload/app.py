"""POST /api/post/editor/media/document/upload: the post editor's direct document upload."""

from __future__ import annotations

from eckospace.http.auth import current_principal, requires
from eckospace.http.problems import PROBLEM_CONTENT_TYPE
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver, with_request_body
from eckospace.media.service import MAX_DIRECT_UPLOAD_BYTES, PRESIGNED_UPLOADS_ROUTE, receive_document

app = make_resolver()

_PROBLEM = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
_LOCATION = {"Location": {"description": "The media's path", "schema": {"type": "string"}}}
# The types a `file` part may declare (eckospace.media.documents: each document type and its aliases;
# application/octet-stream leaves the type to the bytes), listed here to keep the module cheap to import.
DOCUMENT_PART_TYPES = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "text/plain",
    "text/csv",
    "application/vnd.ms-excel",
    "application/csv",
    "text/markdown",
    "text/x-markdown",
    "application/octet-stream",
)
_MULTIPART_FILE = {
    "multipart/form-data": {
        "schema": {
            "type": "object",
            "required": ["file"],
            "maxProperties": 8,
            "properties": {
                "file": {
                    "type": "string",
                    "format": "binary",
                    "minLength": 1,
                    "description": "PDF, DOCX, XLSX, PPTX, ODT, plain text, CSV or Markdown, not empty",
                }
            },
            "additionalProperties": {
                "type": "string",
                "maxLength": 1024,
                "description": "Other fields (at most 8 in all) are ignored",
            },
        },
        "encoding": {
            "file": {
                "contentType": ", ".join(DOCUMENT_PART_TYPES),
                "headers": {
                    "Content-Disposition": {
                        "description": "The filename is the display name; an extension must fit the bytes",
                        "schema": {"type": "string", "example": 'form-data; name="file"; filename="minutes"'},
                    }
                },
            }
        },
    }
}


@app.post(
    "/api/post/editor/media/document/upload",
    summary="Upload a document for a post",
    description=(
        f"`multipart/form-data` with the document in the `file` field, at most {MAX_DIRECT_UPLOAD_BYTES} bytes "
        f"(larger files: `{PRESIGNED_UPLOADS_ROUTE}`). The type is decided by the file's bytes, which must agree "
        "with its declared type and its extension. The filename is kept only as the display name."
    ),
    tags=["Media"],
    responses={
        201: {
            "description": "The stored document, `ready`, with a short-lived download URL",
            "headers": _LOCATION,
            "content": {"application/json": {"model": "eckospace.media.models:Media"}},
        },
        413: {"description": "Larger than direct uploads allow; use the presigned flow", "content": _PROBLEM},
        415: {
            "description": "Not multipart, or not an accepted document type, or bytes, declared type and "
            "extension disagree",
            "content": _PROBLEM,
        },
        422: {"description": "No single `file` field, an empty file, or an unsafe archive", "content": _PROBLEM},
        **PROBLEM_RESPONSES,
        429: {
            "description": "Your daily upload allowance is used up until midnight UTC, or the API key's rate limit "
            "or quota is exceeded; see `Retry-After`",
            "content": _PROBLEM,
        },
    },
    **with_request_body(requires("media:write", tokens=("user",)), _MULTIPART_FILE),
)
def upload_document():
    media = receive_document(app.current_event.raw_event, current_principal(app).subject)
    return json_response(
        media, status=201, headers={"Location": f"/api/media/{media['id']}", "Cache-Control": "no-store"}
    )


lambda_handler = entrypoint(app)
