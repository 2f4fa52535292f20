"""What the report and moderation routes of every context share: pieces of their OpenAPI
`responses` (success bodies name `eckospace.moderation.models` lazily)."""

from __future__ import annotations

from typing import Any

from eckospace.http import documented

MODELS = "eckospace.moderation.models"

DAILY_ALLOWANCE = documented.problem(
    "Your daily allowance of reports (of every kind together) is used up until midnight UTC, or the API key's "
    "rate limit or quota is exceeded; see `Retry-After`"
)


def body(model: str, description: str) -> dict[str, Any]:
    return documented.body(f"{MODELS}:{model}", description)


problem = documented.problem
