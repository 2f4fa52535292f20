"""Which routes and scopes are live, for the caller asking.

The route manifest (method, path, summary, scopes, token kinds, module) is built from the template
and the code together with the OpenAPI document (`make openapi`) and ships with the function that
serves it. A deployment switches modules off with template parameters; the function learns which
from `ECKO_MODULES` ("payments=true,posts=false") and leaves their routes out, and marks each
remaining route callable or not with the caller's own token. The answer is a listing of one page.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from eckospace.platform import settings

CORE = "core"  # routes no template parameter can switch off


def enabled_modules() -> dict[str, bool]:
    pairs = (item.partition("=") for item in settings.MODULES())
    return {name: value.lower() == "true" for name, _, value in pairs}


@cache
def manifest(path: Path) -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(path.read_text()))


def live_routes(manifest_path: Path, *, scopes: frozenset[str], token_use: str) -> dict[str, Any]:
    modules = enabled_modules()
    routes = [
        {
            **route,
            "callable": route["auth"] == "none" or (token_use in route["tokens"] and set(route["scopes"]) <= scopes),
        }
        for route in manifest(manifest_path)
        if route["module"] == CORE or modules.get(route["module"], False)
    ]
    return {"data": routes, "next_cursor": None}
