"""Real answers checked against the committed OpenAPI document (`infra/openapi.json`).

An answer holds to its operation when its status is documented, every header the document marks
required is there, its content type is one documented (no body when none is), and its body is
valid against the schema, `$ref`s resolved in the document. Times are held to the API's
convention, stricter than JSON Schema's `date-time`: RFC 3339 in UTC with milliseconds and `Z`
(`2026-01-01T12:00:00.000Z`), under names ending in `_at`; `created` and `updated` are never shown.
Webhook bodies are checked against the document's `webhooks` section; their envelope's
`timestamp` follows Standard Webhooks instead, so only their `data` is held to the convention.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

DOCUMENT = Path(__file__).resolve().parents[2] / "infra" / "openapi.json"
DOCUMENT_URI = "urn:eckospace:openapi"
API_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
UNCONVENTIONAL_TIME_KEYS = frozenset({"created", "updated"})


@cache
def document() -> dict[str, Any]:
    return json.loads(DOCUMENT.read_text())


@cache
def _registry() -> Registry:
    return Registry().with_resource(DOCUMENT_URI, DRAFT202012.create_resource(document()))


def pointer(*parts: str) -> str:
    """A JSON pointer into the document, as a `$ref` fragment (`#/paths/~1api~1me/get`)."""
    escaped = (part.replace("~", "~0").replace("/", "~1") for part in parts)
    return "#/" + "/".join(quote(part, safe="~") for part in escaped)


def is_api_time(value: object) -> bool:
    if not isinstance(value, str) or not API_TIME.match(value):
        return False
    datetime.fromisoformat(value)  # a real date and time, not only the right shape
    return True


def _format_checker(api_times: bool) -> FormatChecker:
    if not api_times:
        return Draft202012Validator.FORMAT_CHECKER
    checker = FormatChecker()
    # Formats apply to strings only (a nullable time's null passes); a string must be an API time.
    checker.checks("date-time", raises=ValueError)(lambda value: not isinstance(value, str) or is_api_time(value))
    return checker


def schema_errors(instance: Any, *parts: str, api_times: bool = True) -> list[str]:
    """Why `instance` does not validate against the document's schema at `parts` (none: it does)."""
    validator = Draft202012Validator(
        {"$ref": DOCUMENT_URI + pointer(*parts)}, registry=_registry(), format_checker=_format_checker(api_times)
    )
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(body)'}: {error.message}"
        for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    ]


def component_errors(instance: Any, name: str) -> list[str]:
    return schema_errors(instance, "components", "schemas", name)


def time_convention_problems(value: Any, where: str = "body") -> list[str]:
    problems: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{where}.{key}"
            if key in UNCONVENTIONAL_TIME_KEYS:
                problems.append(f"{here}: times are shown under names ending in `_at`")
            if key.endswith("_at") and item is not None and not is_api_time(item):
                problems.append(f"{here}: {item!r} is not an RFC 3339 UTC time with milliseconds and Z")
            problems.extend(time_convention_problems(item, here))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problems.extend(time_convention_problems(item, f"{where}[{index}]"))
    return problems


@cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    return [
        (re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)) + "$"), path)
        for path in document()["paths"]
    ]


def path_template(path: str) -> str:
    """The document's path for a concrete one (`/api/x/ep_1` -> `/api/x/{endpoint_id}`); a
    template is its own."""
    if path in document()["paths"]:
        return path
    found = [template for pattern, template in _templates() if pattern.match(path)]
    assert found, f"{path} is not in the document"
    return min(found, key=lambda t: t.count("{"))  # a literal segment wins over a parameter


def answer_problems(
    method: str, path: str, status: int, headers: Mapping[str, str] | None, body: bytes | str | None
) -> list[str]:
    """Everything in an answer that the document does not say of the operation. `headers` (any
    case) may be None when only the body is known; then only the content type is not checked."""
    template = path_template(path)
    where = f"{method} {template} {status}"
    operation = document()["paths"][template].get(method.lower())
    if operation is None:
        return [f"{method} {template} is not documented"]
    documented = operation.get("responses", {}).get(str(status))
    if documented is None:
        return [f"{where}: status not documented (documented: {sorted(operation.get('responses', {}))})"]
    lowered = None if headers is None else {name.lower(): value for name, value in headers.items()}
    problems = (
        []
        if lowered is None
        else [
            f"{where}: the documented header {name} is missing"
            for name, spec in (documented.get("headers") or {}).items()
            if spec.get("required") and name.lower() not in lowered
        ]
    )
    text = body.decode() if isinstance(body, bytes) else (body or "")
    content = documented.get("content") or {}
    if not content:
        return problems + ([f"{where}: documents no content but answered {text[:200]!r}"] if text else [])
    if not text:
        return problems + [f"{where}: answered no body, documented {sorted(content)}"]
    media_type = ("" if lowered is None else lowered.get("content-type", "")).split(";")[0].strip().lower()
    if lowered is not None and media_type not in content:
        return problems + [f"{where}: answered {media_type!r}, documented {sorted(content)}"]
    media_type = media_type if media_type in content else next(iter(content))
    if "schema" not in content[media_type]:
        return problems + [f"{where}: {media_type} is documented without a schema"]
    parsed = json.loads(text)
    schema = ("paths", template, method.lower(), "responses", str(status), "content", media_type, "schema")
    return (
        problems
        + [f"{where}: {error}" for error in schema_errors(parsed, *schema)]
        + [f"{where}: {problem}" for problem in time_convention_problems(parsed)]
    )


def check_answer(
    method: str, path: str, status: int, headers: Mapping[str, str] | None, body: bytes | str | None
) -> Any:
    """Assert an answer holds to the document; return its parsed body (None when it has none)."""
    problems = answer_problems(method, path, status, headers, body)
    assert not problems, "\n".join(problems) + f"\n{(body or '')[:500]!r}"
    text = body.decode() if isinstance(body, bytes) else body
    return json.loads(text) if text else None


def check(method: str, path: str, status: int, content_type: str | None, body: bytes | str | None) -> Any:
    """`check_answer` for an answer whose only known header is its content type."""
    return (
        check_answer(method, path, status, {"Content-Type": content_type or ""}, body)
        if content_type
        else check_answer(method, path, status, None, body)
    )


def lambda_headers(answer: dict[str, Any]) -> dict[str, str]:
    headers = {k.lower(): v for k, v in (answer.get("headers") or {}).items()}
    headers.update({k.lower(): v[-1] for k, v in (answer.get("multiValueHeaders") or {}).items() if v})
    return headers


def check_lambda_answer(method: str, path: str, answer: dict[str, Any]) -> Any:
    """Check a Lambda proxy answer (what a handler returns in-process)."""
    return check_answer(method, path, answer["statusCode"], lambda_headers(answer), answer.get("body"))


def check_webhook(body: bytes | str) -> dict[str, Any]:
    """Check a webhook body an endpoint received against the `webhooks` section; returns it parsed."""
    parsed = json.loads(body)
    event_type = parsed.get("type")
    assert event_type in document()["webhooks"], f"{event_type} is not in the document's webhooks"
    schema = ("webhooks", event_type, "post", "requestBody", "content", "application/json", "schema")
    errors = schema_errors(parsed, *schema, api_times=False) + schema_errors(
        parsed["data"], *schema, "properties", "data"
    )
    assert not errors, "\n".join(errors)
    return parsed
