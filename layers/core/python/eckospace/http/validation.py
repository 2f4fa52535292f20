"""Request validation compiled once per route.

Routes declare their inputs the Powertools way (`Annotated[str, Query(...)]`, `Path`, `Header`,
and a pydantic model for the JSON body), which also feeds the OpenAPI document. Powertools' own
validation middleware re-derives and re-normalises every parameter on every request, several
times the cost of routing itself; here each route gets one pydantic model, built on its first request, and each
request is validated with a single call into pydantic-core.

Errors become a 400 problem+json listing each field (`in`, `name`, `detail`).
"""

from __future__ import annotations

import base64
import binascii
import inspect
import json
import types
import typing
from dataclasses import dataclass
from typing import Any

from eckospace.http.problems import BadRequest


@dataclass(frozen=True)
class _Input:
    name: str  # the handler's argument
    key: str  # the name on the wire (alias)
    location: str  # path, query, header or body
    multiple: bool  # a list: every value of a repeated query parameter or header


@dataclass(frozen=True)
class _CompiledRoute:
    inputs: tuple[_Input, ...]
    model: Any  # a pydantic model over all inputs, or None when the route takes none
    body: _Input | None


_LOCATIONS = {"Path": "path", "Query": "query", "Header": "header", "Body": "body"}
_compiled: dict[Any, _CompiledRoute] = {}


def _location(field_info: Any, name: str, path_params: set[str]) -> str:
    for cls in type(field_info).__mro__:
        if cls.__name__ in _LOCATIONS:
            return _LOCATIONS[cls.__name__]
    return "path" if name in path_params else "query"


def _is_sequence(annotation: Any) -> bool:
    """list[str], tuple[int, ...], or either of them optional."""
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        return True
    return origin in (typing.Union, types.UnionType) and any(_is_sequence(a) for a in typing.get_args(annotation))


def _compile(func: Any, path: str) -> _CompiledRoute:
    from pydantic import BaseModel, create_model
    from pydantic.fields import FieldInfo

    hints = typing.get_type_hints(func, include_extras=True)
    path_params = {part.strip("{}+") for part in path.split("/") if part.startswith("{")}
    inputs, fields, body = [], {}, None
    for name, parameter in inspect.signature(func).parameters.items():
        annotation = hints.get(name, str)
        field_info: Any = None
        if typing.get_origin(annotation) is typing.Annotated:
            annotation, *extras = typing.get_args(annotation)
            field_info = next((extra for extra in extras if isinstance(extra, FieldInfo)), None)
        if field_info is None:
            is_model = isinstance(annotation, type) and issubclass(annotation, BaseModel)
            default = ... if parameter.default is inspect.Parameter.empty else parameter.default
            field_info = FieldInfo(default=default)
            location = "body" if is_model else _location(field_info, name, path_params)
        else:
            if parameter.default is not inspect.Parameter.empty:
                field_info.default = parameter.default
            location = _location(field_info, name, path_params)
        multiple = _is_sequence(annotation)
        item = _Input(name=name, key=field_info.alias or name, location=location, multiple=multiple)
        if location == "body":
            if body is not None:
                raise TypeError(f"{func.__name__}: one body parameter per route (use one model)")
            body = item
        inputs.append(item)
        fields[name] = (annotation, field_info)
    model = create_model(f"{func.__name__}_request", **fields) if fields else None
    return _CompiledRoute(inputs=tuple(inputs), model=model, body=body)


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


def _body_bytes(event: dict[str, Any]) -> bytes:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise BadRequest("The request body is not valid base64.") from None
    return body.encode()


def _problem(errors: list[dict[str, Any]], compiled: _CompiledRoute) -> BadRequest:
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
    return BadRequest("The request has invalid or missing fields.", errors=fields)


def validated_arguments(func: Any, path: str, event: dict[str, Any], path_args: dict[str, Any]) -> dict[str, Any]:
    """The route's arguments, validated from the request (keyed by their wire names in the request)."""
    from pydantic import ValidationError

    compiled = _compiled.get(func)
    if compiled is None:
        compiled = _compiled[func] = _compile(func, path)
    if compiled.model is None:
        return {}
    data = _raw_inputs(compiled, event, path_args)
    try:
        if compiled.body is not None:
            raw = _body_bytes(event)
            try:
                data[compiled.body.key] = json.loads(raw) if raw else None
            except ValueError:
                raise BadRequest("The request body is not valid JSON.",
                                 errors=[{"in": "body", "name": "body", "detail": "is not valid JSON"}]) from None
        validated = compiled.model.model_validate(data)
    except ValidationError as exc:
        raise _problem(exc.errors(include_url=False, include_input=False), compiled) from None
    return {item.name: getattr(validated, item.name) for item in compiled.inputs}


def resolved_signature(func: Any) -> inspect.Signature:
    """`func`'s signature with its annotations evaluated, for a wrapper to present as its own."""
    hints = typing.get_type_hints(func, include_extras=True)
    signature = inspect.signature(func)
    return signature.replace(parameters=[p.replace(annotation=hints.get(p.name, p.annotation))
                                         for p in signature.parameters.values()])
