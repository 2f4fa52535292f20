"""Pieces of the posts routes' OpenAPI `responses`: plain dicts, cheap to import. Success bodies
name their models in `eckospace.posts.models` as "module:Class" strings, which only the document
generator imports."""

from __future__ import annotations

from typing import Any

from eckospace.http import documented

MODELS = "eckospace.posts.models"

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
