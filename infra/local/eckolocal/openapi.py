"""One OpenAPI document for every function of the template.

Each API function's resolver describes its own routes; Powertools' `OpenAPIMerge` joins them with
the API-wide parts (security schemes, the Problem schema, the gateway's own answers). Run as
`python -m eckolocal.openapi --write FILE` to refresh the committed document, or `--check FILE`
in CI to fail when the code and the document disagree.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from enum import Enum
from pathlib import Path
from typing import Any

from eckolocal.template import Template

TITLE = "EckoSpace API"
VERSION = "1.0.0"
DESCRIPTION = (
    "The developer API of EckoSpace. Every route needs an API key (`x-api-key`, it meters and "
    "throttles your integration) and a Bearer access token whose scopes cover the route, except "
    "webhooks and sign-in callbacks. Errors are RFC 9457 problem+json documents; every response "
    "carries `X-Request-Id`."
)

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title"],
    "properties": {
        "type": {"type": "string", "description": "A URN identifying the kind of problem"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {"type": "object", "properties": {
                "in": {"type": "string"}, "name": {"type": "string"}, "detail": {"type": "string"}}},
        },
    },
}


def _load_app(spec_id: str, code_dir: Path, handler: str) -> Any:
    module_name = handler.rpartition(".")[0]
    path = code_dir / f"{module_name.replace('.', '/')}.py"
    module_spec = importlib.util.spec_from_file_location(f"eckolocal_openapi_{spec_id}", path)
    assert module_spec and module_spec.loader
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[module_spec.name] = module  # pydantic resolves a model's annotations through its module
    module_spec.loader.exec_module(module)
    return getattr(module, "app", None)


def _security_schemes() -> dict[str, Any]:
    from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn, HTTPBase, HTTPBearer

    return {
        "bearerAuth": HTTPBearer(bearerFormat="JWT", description="An access token with the route's scopes."),
        "clientBasic": HTTPBase(scheme="basic", description="An integration's client id and secret (OAuth endpoints)."),
        "apiKey": APIKey(name="x-api-key", **{"in": APIKeyIn.header},
                         description="The API key of your integration's usage plan."),
    }


def merged_document(template: Template) -> dict[str, Any]:
    from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge

    merger = OpenAPIMerge(title=TITLE, version=VERSION, description=DESCRIPTION,
                          security_schemes=_security_schemes(), on_conflict="error")
    routed = {route.function for route in template.routes()}
    functions = template.functions()
    for logical_id in sorted(routed):
        spec = functions[logical_id]
        for path in [spec.code_dir, *spec.layer_dirs]:
            if str(path) not in sys.path:
                sys.path.insert(0, str(path))
        app = _load_app(logical_id, spec.code_dir, spec.handler)
        if app is not None and hasattr(app, "get_openapi_schema"):
            merger.add_schema(app.get_openapi_schema(title=TITLE, version=VERSION,
                                                     security_schemes=_security_schemes()))
    document = json.loads(json.dumps(merger.get_openapi_schema(), default=_plain))
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    # Validation failures are answered 400 problem+json (see PROBLEM_RESPONSES), not Powertools'
    # 422, and a fault is a 500 problem carrying the request id, not a validation document.
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            responses["500"] = {"description": "A fault on our side; quote the request_id when reporting it",
                                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    for name in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        schemas.pop(name, None)
    schemas["Problem"] = PROBLEM_SCHEMA
    if any(route.path.startswith("/api/webhooks/") for route in template.routes()):
        document["webhooks"] = _webhooks_section()
    return document


def _webhooks_section() -> dict[str, Any]:
    """OpenAPI 3.1 `webhooks`: what a registered endpoint receives, from the published catalogue."""
    from eckospace.webhooks.catalogue import openapi_webhooks

    return openapi_webhooks()


def _plain(value: Any) -> Any:
    """JSON for what Powertools leaves as objects: security scheme models and enums."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    return value.value if isinstance(value, Enum) else str(value)


def render(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def module_of(template: Template, logical_id: str) -> str:
    """The module a function belongs to: the `<Module>Enabled` condition it depends on, or core."""
    condition = template.resources[logical_id].get("Condition") or ""
    return condition.removesuffix("Enabled").lower() if condition.endswith("Enabled") else "core"


def route_manifest(template: Template, document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every route with what calling it takes, for `GET /api/meta/routes`."""
    manifest = []
    for route in sorted(template.routes(), key=lambda r: (r.path, r.method)):
        operation = document["paths"][route.path].get(route.method.lower(), {})
        bearer = next((r["bearerAuth"] for r in operation.get("security", []) if "bearerAuth" in r), None)
        manifest.append({
            "method": route.method, "path": route.path, "summary": operation.get("summary", ""),
            "module": module_of(template, route.function), "api_key": route.api_key_required,
            "auth": "bearer" if route.authorizer else "none", "scopes": sorted(bearer or []),
            "tokens": operation.get("x-eckospace-token-use", []) if route.authorizer else [],
        })
    return manifest


def _write_or_check(path: str, text: str, *, check: bool) -> bool:
    if not check:
        Path(path).write_text(text)
        return True
    if (Path(path).read_text() if Path(path).exists() else "") != text:
        print(f"{path} is out of date with the code: run `make openapi` and commit it.", file=sys.stderr)
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--template", default="template.yaml")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", metavar="FILE")
    action.add_argument("--check", metavar="FILE")
    parser.add_argument("--routes", metavar="FILE", help="also the route manifest GET /api/meta/routes serves")
    args = parser.parse_args()
    template = Template(Path(args.template).resolve())
    document = merged_document(template)
    check = args.check is not None
    current = _write_or_check(args.check or args.write, render(document), check=check)
    if args.routes:
        current = _write_or_check(args.routes, render(route_manifest(template, document)), check=check) and current
    return 0 if current else 1


if __name__ == "__main__":
    sys.exit(main())
