"""Pieces of the identity routes' OpenAPI `responses`: plain dicts, cheap to import. Bodies name
their models in `eckospace.identity.models` as "module:Class" strings, which only the document
generator imports."""

from __future__ import annotations

from typing import Any

from eckospace.http.problems import PROBLEM_CONTENT_TYPE

MODELS = "eckospace.identity.models"

NO_STORE_HEADERS = {
    "Cache-Control": {"description": "`no-store`: never cache this answer", "schema": {"type": "string"}},
    "Pragma": {"description": "`no-cache`, for HTTP/1.0 caches", "schema": {"type": "string"}},
}


def body(model: str, description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """A JSON answer described by `eckospace.identity.models.<model>`."""
    answer: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"model": f"{MODELS}:{model}"}},
    }
    if headers:
        answer["headers"] = headers
    return answer


def empty(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """An answer without content (204, 302, the revocation endpoint's 200)."""
    answer: dict[str, Any] = {"description": description, "content": {}}
    if headers:
        answer["headers"] = headers
    return answer


def problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def header(description: str, *, required: bool = False) -> dict[str, Any]:
    return {"description": description, "required": required, "schema": {"type": "string"}}
