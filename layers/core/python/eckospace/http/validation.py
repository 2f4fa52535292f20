"""Request validation compiled once per route.

Routes declare their inputs with `eckospace.http.params` (`Annotated[str, Query(...)]`, `Path`,
`Header`) and a pydantic model for the JSON body; the same declarations feed the OpenAPI document. Powertools' own
validation middleware re-derives and re-normalises every parameter on every request, several
times the cost of routing itself; here each route gets one pydantic model, built on its first request, and each
request is validated with a single call into pydantic-core.

Errors become a 400 problem+json listing each field (`in`, `name`, `detail`).
"""

from __future__ import annotations

import inspect
import json
import re
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eckospace.errors import InvalidInput
from eckospace.http.body import raw_body
from eckospace.http.params import Param


@dataclass(frozen=True)
class _Input:
    name: str  # the handler's argument
    key: str  # the name on the wire (alias)
    location: str  # path, query, header or body
    multiple: bool  # a list: every value of a repeated query parameter or header


@dataclass(frozen=True)
class _TextRule:
    """A text input (`str` or `str | None`) checked without pydantic: most GET routes take only
    these, and leaving pydantic unloaded is a large part of such a function's cold start."""

    item: _Input
    default: Any  # ... when required
    min_length: int | None
    max_length: int | None
    pattern: re.Pattern[str] | None

    def problem(self, value: str | None) -> str | None:
        if value is None:
            return "Field required" if self.default is ... else None
        if self.min_length is not None and len(value) < self.min_length:
            return f"String should have at least {self.min_length} characters"
        if self.max_length is not None and len(value) > self.max_length:
            return f"String should have at most {self.max_length} characters"
        if self.pattern is not None and not self.pattern.search(value):
            return f"String should match pattern '{self.pattern.pattern}'"
        return None


@dataclass(frozen=True)
class _CompiledRoute:
    inputs: tuple[_Input, ...]
    model: Any  # a pydantic model over all inputs but the body; None when there are none or all are text rules
    body: _Input | None
    text_rules: tuple[_TextRule, ...] | None = None
    body_model: Any = None  # the body's pydantic model, validated strictly from the JSON as sent
    body_default: Any = ...  # ... when the body is required


_compiled: dict[Any, _CompiledRoute] = {}


def _is_sequence(annotation: Any) -> bool:
    """list[str], tuple[int, ...], or either of them optional."""
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        return True
    return origin in (typing.Union, types.UnionType) and any(_is_sequence(a) for a in typing.get_args(annotation))


def _declaration(annotation: Any) -> tuple[Any, Param | None]:
    """(the bare type, its Query/Path/Header declaration if any) from `Annotated[type, Query(...)]`."""
    if typing.get_origin(annotation) is typing.Annotated:
        bare, *extras = typing.get_args(annotation)
        return bare, next((extra for extra in extras if isinstance(extra, Param)), None)
    return annotation, None


def _is_text(annotation: Any) -> bool:
    if annotation is str:
        return True
    union = typing.get_origin(annotation) in (typing.Union, types.UnionType)
    return union and set(typing.get_args(annotation)) == {str, type(None)}


def _compile(func: Any, path: str) -> _CompiledRoute:
    hints = typing.get_type_hints(func, include_extras=True)
    path_params = {part.strip("{}+<>") for part in path.split("/") if part[:1] in "{<"}
    declarations = []
    for name, parameter in inspect.signature(func).parameters.items():
        annotation, declared = _declaration(hints.get(name, str))
        default = ... if parameter.default is inspect.Parameter.empty else parameter.default
        declarations.append((name, annotation, declared, default))
    if all(_is_text(annotation) for _, annotation, _, _ in declarations):
        return _compile_text(declarations, path_params)
    return _compile_model(func, declarations, path_params)


def _compile_text(declarations: list[tuple[str, Any, Param | None, Any]], path_params: set[str]) -> _CompiledRoute:
    rules = []
    for name, _, declared, default in declarations:
        location = declared.location if declared else ("path" if name in path_params else "query")
        item = _Input(name=name, key=(declared.alias if declared else None) or name, location=location, multiple=False)
        pattern = declared.pattern if declared else None
        rules.append(
            _TextRule(
                item=item,
                default=default,
                min_length=declared.min_length if declared else None,
                max_length=declared.max_length if declared else None,
                pattern=re.compile(pattern) if pattern else None,
            )
        )
    return _CompiledRoute(inputs=tuple(rule.item for rule in rules), model=None, body=None, text_rules=tuple(rules))


def _compile_model(
    func: Any, declarations: list[tuple[str, Any, Param | None, Any]], path_params: set[str]
) -> _CompiledRoute:
    from pydantic import BaseModel, create_model

    inputs, body, body_model, body_default = [], None, None, ...
    fields: dict[str, Any] = {}  # create_model's field definitions: (annotation, FieldInfo or default)
    for name, annotation, declared, default in declarations:
        if declared is not None:
            location, key, field = declared.location, declared.alias or name, declared.pydantic_field(default)
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            location, key, field = "body", name, default
        else:
            location, key, field = ("path" if name in path_params else "query"), name, default
        item = _Input(name=name, key=key, location=location, multiple=_is_sequence(annotation))
        if location == "body":
            if body is not None:
                raise TypeError(f"{func.__name__}: one body parameter per route (use one model)")
            body, body_model, body_default = item, annotation, default
        else:
            fields[key] = (annotation, field)
        inputs.append(item)
    return _CompiledRoute(
        inputs=tuple(inputs),
        model=create_model(f"{func.__name__}_request", **fields),
        body=body,
        body_model=body_model,
        body_default=body_default,
    )


def _raw_inputs(compiled: _CompiledRoute, event: dict[str, Any], path_args: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    query = event.get("multiValueQueryStringParameters") or {}
    headers: dict[str, list[str]] | None = None
    for item in compiled.inputs:
        if item.location == "path":
            if item.key in path_args:
                data[item.key] = path_args[item.key]
        elif item.location == "query":
            values = query.get(item.key)
            if values:
                data[item.key] = values if item.multiple else values[-1]
        elif item.location == "header":
            if headers is None:
                headers = {k.lower(): v for k, v in (event.get("multiValueHeaders") or {}).items()}
            values = headers.get(item.key.lower().replace("_", "-"))
            if values:
                data[item.key] = values if item.multiple else values[-1]
    return data


def _problem(errors: Sequence[Mapping[str, Any]], compiled: _CompiledRoute) -> InvalidInput:
    where = {item.key: item for item in compiled.inputs}
    fields = []
    for error in errors:
        location = error.get("loc") or ("request",)
        item = where.get(str(location[0]))
        if item is None:
            fields.append({"in": "request", "name": ".".join(map(str, location)), "detail": error["msg"]})
        elif item.location == "body":
            name = ".".join(map(str, location[1:])) or "body"
            fields.append({"in": "body", "name": name, "detail": error["msg"]})
        else:
            fields.append({"in": item.location, "name": item.key, "detail": error["msg"]})
    return InvalidInput("The request has invalid or missing fields.", errors=fields)


def validated_arguments(func: Any, path: str, event: dict[str, Any], path_args: dict[str, Any]) -> dict[str, Any]:
    """The route's arguments, validated from the request (keyed by their wire names in the request)."""
    compiled = _compiled.get(func)
    if compiled is None:
        compiled = _compiled[func] = _compile(func, path)
    data = _raw_inputs(compiled, event, path_args)
    if compiled.text_rules is not None:
        return _checked_text(compiled.text_rules, data)
    from pydantic import ValidationError

    errors: list[Mapping[str, Any]] = []
    arguments: dict[str, Any] = {}
    if compiled.body is not None:
        arguments[compiled.body.name], errors = _validated_body(compiled, raw_body(event))
    try:
        validated = compiled.model.model_validate(data)
    except ValidationError as exc:
        errors = [*exc.errors(include_url=False, include_input=False), *errors]
    if errors:
        raise _problem(errors, compiled)
    return {
        item.name: getattr(validated, item.key) for item in compiled.inputs if item is not compiled.body
    } | arguments


def _validated_body(compiled: _CompiledRoute, raw: bytes | None) -> tuple[Any, list[Mapping[str, Any]]]:
    """The JSON body as its model, and the errors (located in the body). Typed as JSON Schema types
    it: `true` is not an integer, nor is `"5"`, while `5.0` is; a date-time is read from its string."""
    from pydantic import ValidationError

    assert compiled.body is not None
    if not raw:
        if compiled.body_default is not ...:
            return compiled.body_default, []
        return None, [{"loc": (compiled.body.key,), "msg": "Field required"}]
    try:
        parsed = json.loads(raw, parse_float=_json_number)
    except ValueError:
        raise InvalidInput(
            "The request body is not valid JSON.",
            errors=[{"in": "body", "name": "body", "detail": "is not valid JSON"}],
        ) from None
    try:
        return compiled.body_model.model_validate_json(json.dumps(parsed), strict=True), []
    except ValidationError as exc:
        return None, [
            {**error, "loc": (compiled.body.key, *error["loc"])}
            for error in exc.errors(include_url=False, include_input=False)
        ]


def _json_number(text: str) -> int | float:
    """A JSON number with a fraction: an integer when it has none to speak of (`5.0`, `1e3`)."""
    value = float(text)
    return int(value) if value.is_integer() else value


def _checked_text(rules: tuple[_TextRule, ...], data: dict[str, Any]) -> dict[str, Any]:
    arguments, errors = {}, []
    for rule in rules:
        value = data.get(rule.item.key)
        problem = rule.problem(value)
        if problem:
            errors.append({"in": rule.item.location, "name": rule.item.key, "detail": problem})
        arguments[rule.item.name] = rule.default if value is None else value
    if errors:
        raise InvalidInput("The request has invalid or missing fields.", errors=errors)
    return arguments


def openapi_signature(func: Any) -> inspect.Signature:
    """`func`'s signature as Powertools' OpenAPI generator expects it: annotations evaluated and our
    Query/Path/Header declarations turned into Powertools' own parameter types."""
    hints = typing.get_type_hints(func, include_extras=True)
    signature = inspect.signature(func)
    parameters = []
    for parameter in signature.parameters.values():
        annotation, declared = _declaration(hints.get(parameter.name, parameter.annotation))
        if declared is not None:
            annotation = typing.Annotated[annotation, declared.openapi_param()]
        parameters.append(parameter.replace(annotation=annotation))
    return signature.replace(parameters=parameters)
