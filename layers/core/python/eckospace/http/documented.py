"""Pieces of a route's OpenAPI `responses`, as plain dicts that cost nothing to import: a JSON body
named by its model as a lazily imported "module:Class" string (only the document generator imports
it), an answer without content, a problem, a header."""

from __future__ import annotations

from typing import Any

from eckospace.http.problems import PROBLEM_CONTENT_TYPE


def body(model: str, description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """A JSON answer described by `model` ("module:Class")."""
    answer: dict[str, Any] = {"description": description, "content": {"application/json": {"model": model}}}
    if headers:
        answer["headers"] = headers
    return answer


def empty(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """An answer without content (204, 302, 304)."""
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
