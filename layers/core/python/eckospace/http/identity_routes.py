"""Pieces of the identity routes' OpenAPI `responses`: plain dicts, cheap to import. Bodies name
their models in `eckospace.identity.models` as "module:Class" strings, which only the document
generator imports."""

from __future__ import annotations

from typing import Any

from eckospace.http import documented

MODELS = "eckospace.identity.models"

NO_STORE_HEADERS = {
    "Cache-Control": {"description": "`no-store`: never cache this answer", "schema": {"type": "string"}},
    "Pragma": {"description": "`no-cache`, for HTTP/1.0 caches", "schema": {"type": "string"}},
}


def body(model: str, description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """A JSON answer described by `eckospace.identity.models.<model>`."""
    return documented.body(f"{MODELS}:{model}", description, headers)


empty, problem, header = documented.empty, documented.problem, documented.header
