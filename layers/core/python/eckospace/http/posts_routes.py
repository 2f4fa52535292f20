"""What the posts routes share: their listing parameters, and pieces of their OpenAPI `responses`
as plain dicts, cheap to import. Success bodies name their models in `eckospace.posts.models` as
"module:Class" strings, which only the document generator imports."""

from __future__ import annotations

from typing import Any

from eckospace.http import documented
from eckospace.http.params import Query

MODELS = "eckospace.posts.models"

# Listing parameters as text rules: checking them needs no pydantic, which keeps cold starts short.
LIMIT = Query(pattern=r"^(100|[1-9][0-9]?)$", description="Page size, 1 to 100 (default 20)")
CURSOR = Query(max_length=2048, description="The previous page's `next_cursor`")

ETAG = {
    "ETag": {
        "description": "The post's strong entity tag: send it as `If-None-Match` on `GET`, or as `If-Match` on `PATCH`",
        "schema": {"type": "string"},
    }
}
LOCATION = {"Location": {"description": "The new post's path", "schema": {"type": "string"}}}


def body(model: str, description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """A JSON answer described by `eckospace.posts.models.<model>`."""
    return documented.body(f"{MODELS}:{model}", description, headers)


empty, problem, header = documented.empty, documented.problem, documented.header
