"""The committed OpenAPI document (infra/openapi.json) lists every error answer an operation can get,
the gateway's and the resolver's with the route's own, each with the content type it comes in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eckolocal.template import Route, Template

PROBLEM = "application/problem+json"
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
# Answered by the gateway or the resolver whatever the route: function faults and timeouts, the
# payload limit, a busy backend.
EVERY_OPERATION = ("413", "500", "502", "503", "504")


@pytest.fixture(scope="module")
def document(repo_root: Path) -> dict[str, Any]:
    return json.loads((repo_root / "infra" / "openapi.json").read_text())


@pytest.fixture(scope="module")
def operations(document: dict[str, Any], template: Template) -> list[tuple[Route, str, dict[str, Any]]]:
    found = []
    for route in template.routes():
        for method, operation in document["paths"][route.path].items():
            if method in HTTP_METHODS and route.method in ("ANY", method.upper()):
                found.append((route, method, operation))
    assert found
    return found


def expected_statuses(route: Route, operation: dict[str, Any]) -> set[str]:
    statuses = set(EVERY_OPERATION)
    if operation.get("parameters") or operation.get("requestBody"):
        statuses.add("400")
    if route.authorizer:
        statuses |= {"401", "403", "429"}
    if route.api_key_required:
        statuses |= {"403", "429"}
    if "{" in route.path:
        statuses.add("404")  # an unknown id
    return statuses


def test_every_operation_documents_the_gateways_and_the_resolvers_error_answers(operations) -> None:
    missing = [
        f"{method.upper()} {route.path}: {sorted(expected_statuses(route, operation) - set(operation['responses']))}"
        for route, method, operation in operations
        if expected_statuses(route, operation) - set(operation["responses"])
    ]
    assert not missing, "\n".join(missing)


def test_error_answers_say_their_content_type(operations) -> None:
    wrong = []
    for route, method, operation in operations:
        for status, answer in operation["responses"].items():
            if int(status) < 400:
                continue
            content = answer.get("content") or {}
            if not content or any(not media.get("schema") for media in content.values()):
                wrong.append(f"{method.upper()} {route.path} {status}: {sorted(content)} without a schema")
            own_errors = route.authorizer is None and status in ("400", "401")  # the OAuth endpoints' RFC 6749 JSON
            if PROBLEM not in content and not own_errors:
                wrong.append(f"{method.upper()} {route.path} {status}: {sorted(content)}, not {PROBLEM}")
    assert not wrong, "\n".join(wrong)


def test_answers_that_ask_for_a_retry_say_when(operations) -> None:
    missing = [
        f"{method.upper()} {route.path} {status}"
        for route, method, operation in operations
        for status in ("429", "503", "504")
        if status in operation["responses"]
        if not operation["responses"][status].get("headers", {}).get("Retry-After", {}).get("required")
    ]
    assert not missing, "\n".join(missing)


def test_a_route_s_own_422_is_kept_and_powertools_validation_document_is_not(document, operations) -> None:
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    upload = document["paths"]["/api/post/editor/media/document/upload"]["post"]["responses"]
    assert "422" in upload and PROBLEM in upload["422"]["content"]


def test_the_document_says_how_undeclared_methods_are_answered(document) -> None:
    description = document["info"]["description"]
    assert "403" in description and "no-such-route" in description and "MISSING_AUTHENTICATION_TOKEN" in description
