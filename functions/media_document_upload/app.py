"""POST /api/post/editor/media/document/upload: the post editor's direct document upload."""

from __future__ import annotations

from eckospace.http.auth import current_principal, requires
from eckospace.http.problems import PROBLEM_CONTENT_TYPE
from eckospace.http.resolver import PROBLEM_RESPONSES, entrypoint, json_response, make_resolver, with_request_body
from eckospace.media.service import MAX_DIRECT_UPLOAD_BYTES, PRESIGNED_UPLOADS_ROUTE, receive_document

app = make_resolver()

_PROBLEM = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
_MULTIPART_FILE = {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary",
                            "description": "PDF, DOCX, XLSX, PPTX, ODT, plain text, CSV or Markdown"}},
}}}


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
        201: {"description": "The stored document, with a short-lived download URL"},
        413: {"description": "Larger than direct uploads allow; use the presigned flow", "content": _PROBLEM},
        415: {"description": "Not multipart, or not an accepted document type, or bytes, declared type and "
                             "extension disagree", "content": _PROBLEM},
        422: {"description": "No single `file` field, an empty file, or an unsafe archive", "content": _PROBLEM},
        **PROBLEM_RESPONSES,
    },
    **with_request_body(requires("media:write", tokens=("user",)), _MULTIPART_FILE),
)
def upload_document():
    media = receive_document(app.current_event.raw_event, current_principal(app).subject)
    return json_response(media, status=201, headers={"Location": f"/api/media/{media['id']}",
                                                     "Cache-Control": "no-store"})


lambda_handler = entrypoint(app)
