"""DynamoDB items to and from plain Python values (str, int, float, bool, None, lists, dicts).

boto3's own TypeSerializer works in Decimals, which every caller would then convert back; these
records hold ints, short floats and strings, so the low-level shape is written directly.
"""

from __future__ import annotations

from typing import Any


def attribute(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, float):
        return {"N": repr(round(value, 9))}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, list | tuple):
        return {"L": [attribute(v) for v in value]}
    if isinstance(value, dict):
        return {"M": {k: attribute(v) for k, v in value.items()}}
    if value is None:
        return {"NULL": True}
    raise TypeError(f"cannot store {type(value).__name__}")


def value(attr: dict[str, Any]) -> Any:
    kind, raw = next(iter(attr.items()))
    if kind == "N":
        return float(raw) if any(c in raw for c in ".eE") else int(raw)
    if kind == "L":
        return [value(v) for v in raw]
    if kind == "M":
        return {k: value(v) for k, v in raw.items()}
    if kind == "NULL":
        return None
    return raw


def to_item(record: dict[str, Any]) -> dict[str, Any]:
    return {name: attribute(v) for name, v in record.items() if v is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {name: value(attr) for name, attr in item.items()}


def update_operation(
    table: str,
    key: dict[str, Any],
    old: dict[str, Any],
    new: dict[str, Any],
    *,
    condition: str | None = None,
    values: dict[str, Any] | None = None,
    names: dict[str, str] | None = None,
    skip: tuple[str, ...] = (),
) -> dict[str, Any]:
    """An Update (for TransactWriteItems) that turns item `old` into `new`: SET what changed, REMOVE
    what is gone (None), leave the names in `skip` alone."""
    names = dict(names or {})
    attribute_values: dict[str, Any] = dict(values or {})
    sets, removes = [], []
    for position, (name, wanted) in enumerate(sorted(new.items())):
        if name in ("pk", "sk") or name in skip or old.get(name) == wanted:
            continue
        names[f"#a{position}"] = name
        if wanted is None:
            if old.get(name) is not None:
                removes.append(f"#a{position}")
        else:
            sets.append(f"#a{position} = :a{position}")
            attribute_values[f":a{position}"] = attribute(wanted)
    expression = " ".join(
        part
        for part in (f"SET {', '.join(sets)}" if sets else "", f"REMOVE {', '.join(removes)}" if removes else "")
        if part
    )
    update: dict[str, Any] = {"TableName": table, "Key": key, "UpdateExpression": expression}
    if names:
        update["ExpressionAttributeNames"] = names
    if condition:
        update["ConditionExpression"] = condition
    if attribute_values:
        update["ExpressionAttributeValues"] = attribute_values
    return {"Update": update}
