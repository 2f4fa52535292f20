"""Listing pages, each one DynamoDB query, behind signed cursors (`eckospace.cursors`) bound to
their listing and scope. The key inside a cursor is also checked attribute by attribute (exactly the
listing's key attributes, of their types and shapes) before it reaches DynamoDB, so a tampered
cursor is invalid input, never a fault."""

from __future__ import annotations

import re
from typing import Any

from eckospace.cursors import decode_cursor, encode_cursor
from eckospace.errors import InvalidInput

Shapes = dict[str, re.Pattern[str]]


def start_key(
    cursor: str | None,
    *,
    listing: str,
    scope: str,
    fixed: dict[str, str],
    strings: Shapes | None = None,
    numbers: tuple[str, ...] = (),
) -> dict[str, Any] | None:
    """The ExclusiveStartKey inside `cursor`: exactly the listing's key attributes, of their types
    and shapes, with the partition values of this listing."""
    key = decode_cursor(cursor, listing=listing, scope=scope)
    if key is None:
        return None
    strings = strings or {}
    expected = set(fixed) | set(strings) | set(numbers)
    problem = InvalidInput("The cursor is not one this listing issued.")
    if set(key) != expected:
        raise problem
    for name in expected:
        attr = key[name]
        kind = "N" if name in numbers else "S"
        if (
            not isinstance(attr, dict)
            or set(attr) != {kind}
            or not isinstance(attr[kind], str)
            or len(attr[kind]) > 600
        ):
            raise problem
        if name in fixed and attr[kind] != fixed[name]:
            raise problem
        if name in strings and not strings[name].match(attr[kind]):
            raise problem
        if kind == "N":
            try:
                number = float(attr[kind])
            except ValueError:
                raise problem from None
            if not -1e6 < number < 1e6:  # also refuses inf and nan
                raise problem
    return key


def query_page(
    table: str,
    request: dict[str, Any],
    *,
    listing: str,
    scope: str,
    cursor: str | None,
    limit: int,
    fixed: dict[str, str],
    strings: Shapes | None = None,
    numbers: tuple[str, ...] = (),
) -> tuple[list[dict[str, Any]], str | None]:
    from eckospace import aws

    request = {"TableName": table, "Limit": limit, **request}
    start = start_key(cursor, listing=listing, scope=scope, fixed=fixed, strings=strings, numbers=numbers)
    if start:
        request["ExclusiveStartKey"] = start
    page = aws.client("dynamodb").query(**request)
    return page.get("Items", []), encode_cursor(page.get("LastEvaluatedKey"), listing=listing, scope=scope)
