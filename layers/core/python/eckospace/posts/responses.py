"""Pieces of the posts routes' OpenAPI `responses`: plain dicts, cheap to import. Success bodies
name their models in `eckospace.posts.models` as "module:Class" strings, which only the document
generator imports."""

from __future__ import annotations

from typing import Any

from eckospace.http.problems import PROBLEM_CONTENT_TYPE

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
    answer: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"model": f"{MODELS}:{model}"}},
    }
    if headers:
        answer["headers"] = headers
    return answer


def empty(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """An answer without content (204, 304)."""
    answer: dict[str, Any] = {"description": description, "content": {}}
    if headers:
        answer["headers"] = headers
    return answer


def problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
