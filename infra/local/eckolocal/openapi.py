"""One OpenAPI document for every function of the template.

Each API function's resolver describes its own routes; Powertools' `OpenAPIMerge` joins them with
the API-wide parts (security schemes, the Problem schema, the gateway's own answers).
`make generate` (`eckolocal.generate`) writes it to infra/openapi.json, and CI fails when the code
and the committed document disagree.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

from eckolocal.template import Route, Template

TITLE = "EckoSpace API"
VERSION = "1.0.0"
DESCRIPTION = (
    "The developer API of EckoSpace. Every route needs an API key (`x-api-key`, it meters and "
    "throttles your integration) and a Bearer access token whose scopes cover the route, except "
    "webhooks and sign-in callbacks. Errors are RFC 9457 problem+json documents; every response "
    "carries `X-Request-Id`. A method that a path does not list here, like a path that no route "
    "matches, is answered 403 `urn:eckospace:problem:no-such-route` by the gateway (API Gateway's "
    "`MISSING_AUTHENTICATION_TOKEN` answer), not 405, and without `Allow`."
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
            "items": {
                "type": "object",
                "properties": {"in": {"type": "string"}, "name": {"type": "string"}, "detail": {"type": "string"}},
            },
        },
    },
}


@cache
def load_app(code_dir: Path, handler: str, layer_dirs: tuple[Path, ...] = ()) -> Any:
    """A function's resolver (`app`), or None for a function without routes; loaded once."""
    for path in [code_dir, *layer_dirs]:
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    module_name = handler.rpartition(".")[0]
    path = code_dir / f"{module_name.replace('.', '/')}.py"
    module_spec = importlib.util.spec_from_file_location(f"eckolocal_openapi_{code_dir.name}", path)
    assert module_spec and module_spec.loader
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[module_spec.name] = module  # pydantic resolves a model's annotations through its module
    module_spec.loader.exec_module(module)
    app = getattr(module, "app", None)
    return app if hasattr(app, "get_openapi_schema") else None


@cache
def function_schema(code_dir: Path, handler: str, layer_dirs: tuple[Path, ...] = ()) -> dict[str, Any] | None:
    """The OpenAPI document of one function's routes, or None for a function without routes."""
    app = load_app(code_dir, handler, layer_dirs)
    if app is None:
        return None
    return json.loads(
        json.dumps(
            app.get_openapi_schema(title=TITLE, version=VERSION, security_schemes=_security_schemes()), default=_plain
        )
    )


def _security_schemes() -> dict[str, Any]:
    from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn, HTTPBase, HTTPBearer

    return {
        "bearerAuth": HTTPBearer(bearerFormat="JWT", description="An access token with the route's scopes."),
        "clientBasic": HTTPBase(scheme="basic", description="An integration's client id and secret (OAuth endpoints)."),
        "apiKey": APIKey(
            name="x-api-key", **{"in": APIKeyIn.header}, description="The API key of your integration's usage plan."
        ),
    }


def merged_document(template: Template) -> dict[str, Any]:
    from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge

    merger = OpenAPIMerge(
        title=TITLE, version=VERSION, description=DESCRIPTION, security_schemes=_security_schemes(), on_conflict="error"
    )
    routed = {route.function for route in template.routes()}
    functions = template.functions()
    named: dict[str, tuple[str, Any]] = {}  # component schema name -> (the function it came from, the schema)
    for logical_id in sorted(routed):
        spec = functions[logical_id]
        app = load_app(spec.code_dir, spec.handler, spec.layer_dirs)
        if app is not None:
            schema = app.get_openapi_schema(title=TITLE, version=VERSION, security_schemes=_security_schemes())
            _refuse_clashing_names(logical_id, schema, named)
            merger.add_schema(schema)
    document = json.loads(json.dumps(merger.get_openapi_schema(), default=_plain))
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    routes = {(route.path, route.method.lower()): route for route in template.routes()}
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            route = routes.get((path, method)) or routes.get((path, "any"))
            if route is not None:
                document_error_answers(operation, route)
    for name in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        schemas.pop(name, None)
    schemas["Problem"] = PROBLEM_SCHEMA
    if any(route.path.startswith("/api/webhooks/") for route in template.routes()):
        document["webhooks"] = _webhooks_section()
    return document


def _refuse_clashing_names(logical_id: str, schema: Any, named: dict[str, tuple[str, Any]]) -> None:
    """Two functions' different models under one component name would leave the document describing
    one of them for both (the merge keeps the last): refuse it, naming both."""
    components = getattr(schema, "components", None)
    for name, model in (getattr(components, "schemas", None) or {}).items():
        plain = json.loads(json.dumps(model, default=_plain))
        if name in named and named[name][1] != plain:
            raise ValueError(f"{logical_id} and {named[name][0]} each name a different schema {name}: rename one")
        named.setdefault(name, (logical_id, plain))


PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
RETRY_AFTER = {
    "description": "Seconds to wait before retrying",
    "required": True,
    "schema": {"type": "string", "pattern": "^[0-9]+$"},
}
# What the gateway and the resolver answer on their own, whatever the route: (status, when, description).
GATEWAY_ANSWERS: tuple[tuple[int, str, str], ...] = (
    (400, "input", "Invalid request: a parameter or the body breaks a rule stated here (`errors` names each)"),
    (401, "bearer", "Missing, invalid, expired or revoked bearer token (the gateway's answer)"),
    (
        403,
        "key",
        "Missing or unknown API key, or the token may not call this route (a missing scope, another kind of token)",
    ),
    (404, "path", "No such resource that you can see (an unknown id)"),
    (413, "always", "The request is larger than the gateway takes (10 MB)"),
    (429, "key", "The rate limit or quota of your API key's plan is exceeded; retry after Retry-After"),
    (500, "always", "A fault on our side; quote the request_id when reporting it"),
    (502, "always", "The function failed without an answer; quote the request_id when reporting it"),
    (503, "always", "A backend is busy or unreachable; retry after Retry-After"),
    (504, "always", "The function did not answer in time; retry after Retry-After"),
)


def document_error_answers(operation: dict[str, Any], route: Route) -> None:
    """Every error status the operation can be answered, as problem+json: the route's own (whose
    descriptions it keeps) and those the gateway and the resolver give any route like it (bad input,
    the authorizer's and the API key's refusals, unknown ids, the payload limit, throttles, faults,
    a busy backend, a failed or late function). 429, 503 and 504 carry Retry-After."""
    responses = operation.setdefault("responses", {})
    validation = responses.get("422", {}).get("content", {}).get("application/json", {}).get("schema", {})
    if validation.get("$ref", "").endswith("/HTTPValidationError"):
        responses.pop("422")  # Powertools' validation document: ours are 400 problem+json
    applies = {
        "always": True,
        "input": bool(operation.get("parameters") or operation.get("requestBody")),
        "bearer": route.authorizer is not None,
        "key": route.authorizer is not None or route.api_key_required,
        "path": "{" in route.path,
    }
    for status, answer in responses.items():
        if status.isdigit() and int(status) >= 400:
            content = {media: spec for media, spec in (answer.get("content") or {}).items() if spec.get("schema")}
            answer["content"] = content or dict(PROBLEM_CONTENT)  # described without a body: the resolver's problem
    for status, when, description in GATEWAY_ANSWERS:
        if applies[when]:
            answer = responses.setdefault(str(status), {"description": description, "content": {}})
            if status not in (400, 404) or not answer["content"]:
                answer["content"].update(
                    PROBLEM_CONTENT
                )  # made by the gateway or the resolver, whatever the route's own
    for status in ("429", "503", "504"):  # the gateway's, the resolver's and the route's own alike
        if status in responses:
            responses[status].setdefault("headers", {})["Retry-After"] = RETRY_AFTER


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


def route_manifest(template: Template, document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every route with what calling it takes, for `GET /api/meta/routes`."""
    manifest = []
    functions = template.functions()
    for route in sorted(template.routes(), key=lambda r: (r.path, r.method)):
        operation = document["paths"][route.path].get(route.method.lower(), {})
        bearer = next((r["bearerAuth"] for r in operation.get("security", []) if "bearerAuth" in r), None)
        manifest.append(
            {
                "method": route.method,
                "path": route.path,
                "summary": operation.get("summary", ""),
                "module": functions[route.function].module,
                "api_key": route.api_key_required,
                "auth": "bearer" if route.authorizer else "none",
                "scopes": sorted(bearer or []),
                "tokens": operation.get("x-eckospace-token-use", []) if route.authorizer else [],
            }
        )
    return manifest
