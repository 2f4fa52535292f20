"""Daily allowances per person (posts, reports, uploads), held exactly in DynamoDB.

Usage plans throttle an integration as a whole; these limits are per person, so one account cannot
flood the platform through any integration, and they must hold under concurrent requests. Each is
a counter item per person and UTC day (`allowance#<what>#<person>#<day>`), counted by one
conditional update: inside the same transaction as the thing it counts when there is one (no extra
backend call), or on its own before anything is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from eckospace import aws
from eckospace.errors import LimitReached

DAY_SECONDS = 86_400


def day_of(now: float) -> int:
    return int(now // DAY_SECONDS)


def seconds_until_tomorrow(now: float) -> int:
    return (day_of(now) + 1) * DAY_SECONDS - int(now)


def counter_expiry(now: float) -> int:
    """When a day's counter may go (TTL), a day after the day it counts."""
    return (day_of(now) + 2) * DAY_SECONDS


@dataclass(frozen=True)
class Quantity:
    """One quantity an allowance counts, with its own limit per day."""

    unit: str  # in the refusal's words: "posts", "bytes"
    attribute: str  # the counter item's attribute
    member: str  # the refusal's extension member that gives the limit: "daily_limit", "daily_bytes"
    limit: Callable[[], int]  # a setting of the context that counts it


@dataclass(frozen=True)
class DailyAllowance:
    what: str  # what is counted: "posts", "reports", "uploads"
    quantities: tuple[Quantity, ...]

    def key_value(self, person: str, now: float) -> str:
        return f"allowance#{self.what}#{person}#{day_of(now)}"

    def transaction_item(
        self, table: str, key: dict[str, Any], now: float, amounts: Sequence[int] = (1,)
    ) -> dict[str, Any]:
        """The Update, for a TransactWriteItems, that counts `amounts` (one per quantity) and fails
        past a limit; the caller refuses with `exhausted` when it does."""
        return {"Update": self._update(table, key, now, amounts)}

    def count(self, table: str, key: dict[str, Any], now: float, amounts: Sequence[int] = (1,)) -> None:
        """Count `amounts` with one conditional UpdateItem, or refuse them with 429."""
        dynamodb = aws.client("dynamodb")
        try:
            dynamodb.update_item(**self._update(table, key, now, amounts))
        except dynamodb.exceptions.ConditionalCheckFailedException:
            raise self.exhausted(now) from None

    def _update(self, table: str, key: dict[str, Any], now: float, amounts: Sequence[int]) -> dict[str, Any]:
        limits = [quantity.limit() for quantity in self.quantities]
        if any(amount > limit for amount, limit in zip(amounts, limits, strict=True)):
            raise self.exhausted(now)  # more than a whole day's allowance: nothing to count
        indexes = range(len(self.quantities))
        values = {":expires": {"N": str(counter_expiry(now))}}
        for n, amount, limit in zip(indexes, amounts, limits, strict=True):
            values[f":add{n}"] = {"N": str(amount)}
            values[f":room{n}"] = {"N": str(limit - amount)}  # the most already used for `amount` to fit
        return {
            "TableName": table,
            "Key": key,
            "UpdateExpression": f"ADD {', '.join(f'#q{n} :add{n}' for n in indexes)} SET expires_at = :expires",
            "ConditionExpression": " AND ".join(f"(attribute_not_exists(#q{n}) OR #q{n} <= :room{n})" for n in indexes),
            "ExpressionAttributeNames": {f"#q{n}": quantity.attribute for n, quantity in enumerate(self.quantities)},
            "ExpressionAttributeValues": values,
        }

    def exhausted(self, now: float) -> LimitReached:
        limits = {quantity: quantity.limit() for quantity in self.quantities}
        allowance = " and ".join(f"{limit} {quantity.unit}" for quantity, limit in limits.items())
        return LimitReached(
            f"Your daily allowance of {allowance} is used up; it renews at midnight UTC.",
            retry_after=seconds_until_tomorrow(now),
            **{quantity.member: limit for quantity, limit in limits.items()},
        )
