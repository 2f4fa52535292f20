"""The committed OpenAPI document (infra/openapi.json) is current with the code, covers exactly the
template's routes, and documents the API key and bearer scopes the gateway enforces."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from eckolocal.template import Route, Template
from eckospace.identity.scopes import SCOPES

DOCUMENT = "infra/openapi.json"
BEARER = "bearerAuth"
API_KEY = "apiKey"
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})

Operation = dict[str, Any]


@pytest.fixture(scope="module")
def document(repo_root: Path) -> dict[str, Any]:
    return json.loads((repo_root / DOCUMENT).read_text())


@pytest.fixture(scope="module")
def routes(template: Template) -> list[Route]:
    found = template.routes()
    assert found, "the template declares no routes"
    return found


def _operations(document: dict[str, Any], path: str, method: str) -> dict[str, Operation]:
    """The operations documented for a route: its method's, or every method's for ANY."""
    path_item = document.get("paths", {}).get(path, {})
    wanted = HTTP_METHODS if method == "ANY" else {method.lower()}
    return {name: operation for name, operation in path_item.items() if name in wanted}


def _security_problems(route: Route, operation: Operation) -> list[str]:
    requirements: list[dict[str, list[str]]] = operation.get("security", [])
    where = f"{route.method} {route.path}"
    if route.authorizer is None:  # public, or the caller authenticates itself (OAuth client credentials)
        problems = (
            [f"{where} runs no authorizer but documents {BEARER}"] if any(BEARER in r for r in requirements) else []
        )
        if route.api_key_required and not all(API_KEY in r for r in requirements or [{}]):
            problems.append(f"{where} needs an API key but does not document {API_KEY}")
        return problems
    if not requirements:
        return [f"{where} declares no security"]
    problems = []
    for requirement in requirements:  # alternatives: each must carry everything the gateway checks
        scopes = requirement.get(BEARER)
        if scopes is None:  # an empty list is fine: any valid token (GET /api/me)
            problems.append(f"{where} has a security requirement without {BEARER}: {requirement}")
        elif unknown := sorted(set(scopes) - set(SCOPES)):
            problems.append(f"{where} requires scopes missing from eckospace.identity.scopes: {unknown}")
        if route.api_key_required and API_KEY not in requirement:
            problems.append(f"{where} has a security requirement without {API_KEY}: {requirement}")
    return problems


def test_document_is_current(repo_root: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(repo_root / part) for part in ("infra/local", "layers/core/python")),
    }
    result = subprocess.run(
        [sys.executable, "-m", "eckolocal.generate", "--check"],
        cwd=repo_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"exit code {result.returncode}\n{result.stdout}{result.stderr}"


def test_every_route_is_documented(document: dict[str, Any], routes: list[Route]) -> None:
    missing = [
        f"{route.method} {route.path}" for route in routes if not _operations(document, route.path, route.method)
    ]
    assert not missing, f"routes missing from {DOCUMENT}: {missing}"


def test_every_documented_operation_is_a_route(document: dict[str, Any], routes: list[Route]) -> None:
    served = {(route.path, method) for route in routes for method in _operations(document, route.path, route.method)}
    extra = [
        f"{method.upper()} {path}"
        for path, item in document.get("paths", {}).items()
        for method in item
        if method in HTTP_METHODS and (path, method) not in served
    ]
    assert not extra, f"{DOCUMENT} documents operations the template does not route: {extra}"


def test_operations_declare_the_key_and_known_bearer_scopes(document: dict[str, Any], routes: list[Route]) -> None:
    problems = [
        problem
        for route in routes
        for operation in _operations(document, route.path, route.method).values()
        for problem in _security_problems(route, operation)
    ]
    assert not problems, "\n".join(problems)


def test_operations_name_declared_security_schemes(document: dict[str, Any]) -> None:
    declared = set(document.get("components", {}).get("securitySchemes", {}))
    used = {
        name
        for item in document.get("paths", {}).values()
        for method, operation in item.items()
        if method in HTTP_METHODS
        for requirement in operation.get("security", [])
        for name in requirement
    }
    assert used <= declared, f"security schemes used but not declared: {sorted(used - declared)}"


def test_security_schemes_are_openapi_objects(document: dict[str, Any]) -> None:
    schemes = document.get("components", {}).get("securitySchemes", {})
    bearer, api_key = schemes.get(BEARER), schemes.get(API_KEY)
    assert isinstance(bearer, dict) and (bearer.get("type"), bearer.get("scheme")) == ("http", "bearer"), bearer
    assert isinstance(api_key, dict) and (api_key.get("type"), api_key.get("in"), api_key.get("name")) == (
        "apiKey",
        "header",
        "x-api-key",
    ), api_key
