"""Lambda event filtering: an event source mapping's `FilterCriteria`, applied to each record.

A record passes when any filter's pattern matches it. A pattern names fields of the record
(objects nest) and, for each, a list of conditions of which one must hold: an exact value
(string, number, boolean, null), `prefix`, `suffix`, `equals-ignore-case`, `anything-but` (a
value, a list of them, or a prefix or suffix), `numeric` (`=`, or a range of one or two bounds) and
`exists`. As on AWS, conditions apply to leaf values only (an object is no value: `{"exists":
false}` holds for it), a list matches when one of its elements does, and `numeric` matches JSON
numbers only, so not DynamoDB's `N` values, which are strings. Anything else (`wildcard`, `cidr`,
`$or`) is refused when the stack starts, as Lambda refuses it when the mapping is created.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Sequence
from typing import Any

Pattern = dict[str, Any]

_MISSING = object()
_COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "=": operator.eq,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_TEXT_OPERATORS = {"prefix", "suffix", "equals-ignore-case"}


def compile_filter_criteria(criteria: dict[str, Any] | None, *, where: str) -> tuple[Pattern, ...]:
    """The patterns of `FilterCriteria` (each filter's `Pattern` is JSON text); ValueError, naming
    `where`, for one Lambda would refuse or this module does not apply."""
    patterns = []
    for number, item in enumerate((criteria or {}).get("Filters", []), start=1):
        try:
            pattern = json.loads(item["Pattern"])
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"{where}: filter {number} has no JSON Pattern") from None
        _check_pattern(pattern, f"{where}: filter {number}")
        patterns.append(pattern)
    return tuple(patterns)


def _check_pattern(pattern: Any, where: str) -> None:
    if not isinstance(pattern, dict) or not pattern:
        raise ValueError(f"{where}: a pattern is a JSON object naming fields")
    for field, rule in pattern.items():
        if isinstance(rule, dict):
            _check_pattern(rule, f"{where}.{field}")
        elif isinstance(rule, list) and rule:
            for condition in rule:
                _check_condition(condition, f"{where}.{field}")
        else:
            raise ValueError(f"{where}.{field}: conditions come as a non-empty list, nested fields as an object")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | bool) or _is_number(value)


def _check_condition(condition: Any, where: str) -> None:
    if _is_scalar(condition):
        return
    if not isinstance(condition, dict) or len(condition) != 1:
        raise ValueError(f"{where}: {condition!r} is neither a value nor one operator")
    ((name, argument),) = condition.items()
    if name in _TEXT_OPERATORS:
        valid = isinstance(argument, str)
    elif name == "exists":
        valid = isinstance(argument, bool)
    elif name == "anything-but":
        valid = (
            _is_scalar(argument)
            or (isinstance(argument, list) and bool(argument) and all(_is_scalar(item) for item in argument))
            or (
                isinstance(argument, dict)
                and len(argument) == 1
                and next(iter(argument)) in ("prefix", "suffix")
                and isinstance(next(iter(argument.values())), str)
            )
        )
    elif name == "numeric":
        valid = _valid_numeric(argument)
    else:
        raise ValueError(f"{where}: the operator {name!r} is not supported")
    if not valid:
        raise ValueError(f"{where}: {condition!r} is not a valid {name} condition")


def _valid_numeric(bounds: Any) -> bool:
    if not isinstance(bounds, list) or len(bounds) not in (2, 4):
        return False
    pairs = list(zip(bounds[::2], bounds[1::2], strict=True))
    if not all(op in _COMPARISONS and _is_number(limit) for op, limit in pairs):
        return False
    return len(pairs) == 1 or "=" not in bounds[::2]


def passes(patterns: Sequence[Pattern], record: dict[str, Any]) -> bool:
    """Whether a record reaches the function: no filters, or one whose pattern it matches."""
    return not patterns or any(_matches(pattern, record) for pattern in patterns)


def _matches(pattern: Pattern, value: Any) -> bool:
    for field, rule in pattern.items():
        found = value.get(field, _MISSING) if isinstance(value, dict) else _MISSING
        if isinstance(rule, dict):
            if not _matches(rule, found):
                return False
        elif not any(_holds(condition, _leaves(found)) for condition in rule):
            return False
    return True


def _leaves(found: Any) -> list[Any]:
    """The values a condition is tested against: a scalar, or a list's scalar elements."""
    if isinstance(found, list):
        return [item for item in found if _is_scalar(item)]
    return [found] if _is_scalar(found) else []


def _holds(condition: Any, values: list[Any]) -> bool:
    if isinstance(condition, dict) and "exists" in condition:
        return bool(values) == condition["exists"]
    return any(_value_matches(condition, value) for value in values)


def _same(expected: Any, value: Any) -> bool:
    if _is_number(expected) or _is_number(value):
        return _is_number(expected) and _is_number(value) and float(expected) == float(value)
    return type(expected) is type(value) and expected == value


def _value_matches(condition: Any, value: Any) -> bool:
    if not isinstance(condition, dict):
        return _same(condition, value)
    ((name, argument),) = condition.items()
    if name == "numeric":
        return _is_number(value) and all(
            _COMPARISONS[op](value, limit) for op, limit in zip(argument[::2], argument[1::2], strict=True)
        )
    if name == "anything-but":
        if isinstance(argument, dict):
            return isinstance(value, str) and not _value_matches(argument, value)
        return not any(_same(item, value) for item in (argument if isinstance(argument, list) else [argument]))
    if not isinstance(value, str):
        return False
    if name == "prefix":
        return value.startswith(argument)
    if name == "suffix":
        return value.endswith(argument)
    return value.casefold() == argument.casefold()  # equals-ignore-case
