"""Daily allowances per person (posts, reports, uploads), held exactly in DynamoDB.

Usage plans throttle an integration as a whole; these limits are per person, so one account cannot
flood the platform through any integration, and they must hold under concurrent requests. Each is
a counter item per person and UTC day, counted by a conditional update: written inside the same
transaction as the thing it counts, it costs no extra backend call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eckospace.http.problems import TooManyRequests

DAY_SECONDS = 86_400


def day_of(now: float) -> int:
    return int(now // DAY_SECONDS)


def seconds_until_tomorrow(now: float) -> int:
    return (day_of(now) + 1) * DAY_SECONDS - int(now)


def counter_expiry(now: float) -> int:
    """When a day's counter may go (TTL), a day after the day it counts."""
    return (day_of(now) + 2) * DAY_SECONDS


@dataclass(frozen=True)
class DailyAllowance:
    what: str  # what is counted, in the refusal's words: "posts", "reports"
    limit: Callable[[], int]  # per day: a setting of the context that counts

    def key_value(self, person: str, now: float) -> str:
        return f"allowance#{self.what}#{person}#{day_of(now)}"

    def count_one(self, table: str, key: dict[str, Any], now: float) -> dict[str, Any]:
        """The Update, for a TransactWriteItems, that counts one more and fails past the limit."""
        return {
            "Update": {
                "TableName": table,
                "Key": key,
                "UpdateExpression": "ADD #used :one SET expires_at = :expires",
                "ConditionExpression": "attribute_not_exists(#used) OR #used < :limit",
                "ExpressionAttributeNames": {"#used": "used"},
                "ExpressionAttributeValues": {
                    ":one": {"N": "1"},
                    ":limit": {"N": str(self.limit())},
                    ":expires": {"N": str(counter_expiry(now))},
                },
            }
        }

    def exhausted(self, now: float) -> TooManyRequests:
        return TooManyRequests(
            f"Your daily allowance of {self.limit()} {self.what} is used up; it renews at midnight UTC.",
            retry_after=seconds_until_tomorrow(now),
            daily_limit=self.limit(),
        )
